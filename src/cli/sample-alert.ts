import { severities, type Severity } from '../alerts/severity.js';

/** A small Alertmanager webhook (version 4) body for trying Vigil out. */
export function sampleWebhook(severity: Severity, status: 'firing' | 'resolved', now = new Date()) {
  const labels = { alertname: 'VigilTestAlert', service: 'vigil-test', instance: 'localhost', severity };
  const startsAt = new Date(now.getTime() - 60_000).toISOString();
  return {
    version: '4',
    receiver: 'vigil',
    status,
    groupKey: '{}:{alertname="VigilTestAlert"}',
    groupLabels: { alertname: 'VigilTestAlert' },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://localhost:9093',
    truncatedAlerts: 0,
    alerts: [
      {
        status,
        labels,
        annotations: { summary: `Test ${severity} alert sent by vigil send-test-alert` },
        startsAt,
        endsAt: status === 'resolved' ? now.toISOString() : '0001-01-01T00:00:00Z',
        generatorURL: '',
      },
    ],
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
