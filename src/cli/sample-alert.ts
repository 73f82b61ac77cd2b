import { severities, type Severity } from '../alerts/severity.js';

/**
 * The test alert of a severity. Each severity has its own alertname, so test alerts of several severities open
 * one incident each (each showing its own policy) rather than one incident raised to the most urgent.
 */
export function testAlertName(severity: Severity): string {
  return `VigilTest${severity[0]!.toUpperCase()}${severity.slice(1)}`;
}

/** A small Alertmanager webhook (version 4) body for trying Vigil out: one test alert per severity given. */
export function sampleWebhook(of: readonly Severity[], status: 'firing' | 'resolved', now = new Date()) {
  const startsAt = new Date(now.getTime() - 60_000).toISOString();
  const alerts = of.map((severity) => ({
    status,
    // The same labels firing and resolved: they are the alert's identity (its fingerprint).
    labels: { alertname: testAlertName(severity), service: 'vigil-test', instance: 'localhost', severity },
    annotations: { summary: `Test ${severity} alert sent by vigil send-test-alert` },
    startsAt,
    endsAt: status === 'resolved' ? now.toISOString() : '0001-01-01T00:00:00Z',
    generatorURL: '',
  }));
  const common = of.length === 1 ? alerts[0]!.labels : { service: 'vigil-test', instance: 'localhost' };
  return {
    version: '4',
    receiver: 'vigil',
    status,
    groupKey: '{}:{service="vigil-test"}',
    groupLabels: { service: 'vigil-test' },
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://localhost:9093',
    truncatedAlerts: 0,
    alerts,
  };
}

export function sampleCurl(base: string, tokenExpr?: string): string {
  const body = JSON.stringify({
    version: '4',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'DiskFull', service: 'demo', severity: 'critical' },
        annotations: { summary: 'Disk almost full on demo' },
        startsAt: '2026-01-01T00:00:00Z',
      },
    ],
  });
  const auth = tokenExpr ? ` -H "Authorization: Bearer ${tokenExpr}"` : '';
  return `curl -sS -X POST ${base}/api/v1/alerts/alertmanager -H 'Content-Type: application/json'${auth} -d '${body}'`;
}

export function isSeverity(s: string): s is Severity {
  return (severities as readonly string[]).includes(s);
}
