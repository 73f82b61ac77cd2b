import { describe, expect, it } from 'vitest';
import { alertmanagerWebhook, normalizeAlertmanager } from '../../src/ingest/sources/alertmanager.js';
import { grafanaWebhook, normalizeGrafana } from '../../src/ingest/sources/grafana.js';
import { normalizePrometheus, postableAlerts } from '../../src/ingest/sources/prometheus.js';
import { normalizePagerDutyTrigger, pagerDutyEvent, pagerDutyFingerprint } from '../../src/ingest/sources/pagerduty.js';
import { fingerprintLabels } from '../../src/alerts/fingerprint.js';
import { deeperThan } from '../../src/ingest/sources/common.js';
import { fixture } from '../helpers/vigil.js';

const now = Date.parse('2026-11-22T16:41:00Z');

describe('Alertmanager webhook v4', () => {
  it("computes Alertmanager's fingerprint and keeps labels, annotations and times", () => {
    const [a, b] = normalizeAlertmanager(alertmanagerWebhook.parse(fixture('alertmanager-v4-firing.json')), now);
    expect(a).toMatchObject({
      fingerprint: '00dbb13af3b1fee1',
      source: 'alertmanager',
      status: 'firing',
      startsAt: Date.parse('2026-11-22T16:26:58Z'),
      endsAt: null,
      expiresAt: null,
      generatorURL: 'http://prometheus:9090/graph?g0.expr=cpu',
      rawSeverity: 'critical',
      receivedAt: now,
    });
    expect(a!.annotations.runbook_url).toBe('https://runbooks.example/cpu');
    expect(b!.generatorURL).toBeNull();
    expect(b!.links).toEqual([]);
  });

  it('reads a resolved alert with its end time', () => {
    const [a, b] = normalizeAlertmanager(alertmanagerWebhook.parse(fixture('alertmanager-v4-partly-resolved.json')), now);
    expect(a).toMatchObject({ status: 'resolved', endsAt: Date.parse('2026-11-22T16:27:04Z') });
    expect(b).toMatchObject({ status: 'firing', endsAt: null });
  });

  it('computes the fingerprint from the labels whatever the sender claims', () => {
    const body = fixture('alertmanager-v4-firing.json');
    delete body.alerts[0].fingerprint;
    body.alerts[1].fingerprint = '00dbb13af3b1fee1';
    const [a, b] = normalizeAlertmanager(alertmanagerWebhook.parse(body), now);
    expect(a!.fingerprint).toBe('00dbb13af3b1fee1');
    expect(b!.fingerprint).toBe(fingerprintLabels(body.alerts[1].labels));
    expect(b!.fingerprint).not.toBe(a!.fingerprint);
  });
});

describe('Grafana webhook', () => {
  it('keeps values and every link Grafana sends', () => {
    const body = fixture('grafana-webhook-firing.json');
    const [a] = normalizeGrafana(grafanaWebhook.parse(body), now);
    // Grafana's own fingerprint is not Alertmanager's; Vigil's is, from the labels.
    expect(a).toMatchObject({ source: 'grafana', status: 'firing', fingerprint: fingerprintLabels(body.alerts[0].labels), values: { A: 91.2, C: 1 } });
    expect(a!.links.map((l) => l.text)).toEqual(['Source', 'Dashboard', 'Panel', 'Silence']);
    expect(a!.links[1]!.href).toBe('http://grafana:3000/d/disk01?orgId=1');
    expect(a!.labels.team).toBe('storage');
  });
});

describe('Alertmanager API v2 (Prometheus)', () => {
  it('fires until endsAt and computes the Alertmanager fingerprint', () => {
    const body = fixture('prometheus-api-v2-alerts.json');
    const [a] = normalizePrometheus(postableAlerts.parse(body), now, 300_000);
    expect(a).toMatchObject({
      source: 'prometheus',
      status: 'firing',
      endsAt: Date.parse('2026-11-22T16:44:00Z'),
      expiresAt: Date.parse('2026-11-22T16:44:00Z'),
      fingerprint: fingerprintLabels(body[0].labels),
    });
  });

  it('is resolved when endsAt has passed', () => {
    const [a] = normalizePrometheus(postableAlerts.parse(fixture('prometheus-api-v2-alerts.json')), Date.parse('2026-11-22T16:45:00Z'), 300_000);
    expect(a!.status).toBe('resolved');
    expect(a!.expiresAt).toBeNull();
  });

  it('applies resolve_timeout when endsAt is missing and startsAt defaults to now', () => {
    const [a] = normalizePrometheus(postableAlerts.parse([{ labels: { alertname: 'X' } }]), now, 300_000);
    expect(a).toMatchObject({ status: 'firing', startsAt: now, expiresAt: now + 300_000 });
  });
});

describe('PagerDuty Events v2', () => {
  it('turns a trigger into an alert keyed by dedup_key', () => {
    const e = pagerDutyEvent.parse(fixture('pagerduty-events-v2-trigger.json'));
    const a = normalizePagerDutyTrigger(e, e.dedup_key!, { service: 'storage-db', team: 'storage' }, now);
    expect(a).toMatchObject({
      source: 'pagerduty',
      status: 'firing',
      fingerprint: pagerDutyFingerprint({ service: 'storage-db' }, 'db-1/replication-lag'),
      rawSeverity: 'critical',
      startsAt: Date.parse('2026-11-22T16:50:00.000Z'),
      labels: { alertname: 'db-1/replication-lag', service: 'storage-db', team: 'storage', source: 'db-1', component: 'postgres' },
      annotations: { summary: 'Replication lag 340s on db-1', details: '{"lag_seconds":340}', client: 'Zabbix' },
    });
    expect(a.links).toEqual([
      { href: 'http://grafana:3000/d/pg', text: 'Postgres dashboard' },
      { href: 'http://zabbix.example/', text: 'Zabbix' },
    ]);
    expect(JSON.stringify(a)).not.toContain('e93facc04764012d7bfb002500d5d1a6');
  });

  it('requires a payload for trigger and a dedup_key for resolve', () => {
    expect(pagerDutyEvent.safeParse({ routing_key: 'k', event_action: 'trigger' }).success).toBe(false);
    expect(pagerDutyEvent.safeParse({ routing_key: 'k', event_action: 'resolve' }).success).toBe(false);
    expect(pagerDutyEvent.safeParse({ routing_key: 'k', event_action: 'resolve', dedup_key: 'd' }).success).toBe(true);
  });
});

describe('deeperThan', () => {
  it('counts levels of objects and arrays, not scalars', () => {
    expect(deeperThan(1, 0)).toBe(false);
    expect(deeperThan({}, 0)).toBe(true);
    expect(deeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(deeperThan({ a: [1, { b: 2 }] }, 2)).toBe(true);
    expect(deeperThan([[], [[]]], 2)).toBe(true);
  });

  it('walks 100,000 levels without recursion', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(deeperThan(v, 32)).toBe(true);
  });
});
