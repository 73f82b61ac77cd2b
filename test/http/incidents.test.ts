import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, fixture, startVigil, type TestVigil } from '../helpers/vigil.js';
import { reportRulesDir } from './reports-seed.js';

let v: TestVigil;
afterEach(async () => v?.close());

const MIN = 60_000;
const cpu = (instance: string, extra: Record<string, string> = {}) => ({
  labels: { alertname: 'HighCPU', service: 'checkout', severity: 'critical', instance, ...extra },
});

async function incidents(t: TestVigil, query = '') {
  return (await t.json(`/api/v1/incidents${query}`)).incidents as any[];
}

describe('alerts become incidents', () => {
  it('groups a webhook batch into one incident with every alert and a timeline', async () => {
    v = await startVigil();
    const res = await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-firing.json'));
    expect(res.status).toBe(202);
    expect((await res.json())).toEqual({ accepted: 2 });
    const [incident] = await incidents(v);
    expect(incident).toMatchObject({
      title: 'CPU above 95% for 5m',
      status: 'triggered',
      severity: 'critical',
      priority: 'P1',
      service: 'checkout',
      alertCount: 2,
      acknowledgedAt: null,
      resolvedAt: null,
      createdAt: new Date(v.clock.now()).toISOString(),
    });
    const full = await v.json(`/api/v1/incidents/${incident.id}`);
    expect(full.alerts.map((a: any) => a.fingerprint)).toEqual(['00dbb13af3b1fee1', 'ff4459e3a77741e0']);
    expect(full.timeline.map((e: any) => e.kind)).toEqual(['triggered', 'classified', 'alert_firing', 'paging', 'alert_firing']);
    expect(full.timeline[0]).toMatchObject({ source: 'alertmanager', actor: 'alertmanager' });
  });

  it('repeated deliveries change nothing and never open a second incident', async () => {
    v = await startVigil();
    const body = fixture('alertmanager-v4-firing.json');
    await v.post('/api/v1/alerts/alertmanager', body);
    const before = await v.json('/api/v1/incidents/1');
    for (let i = 0; i < 3; i++) {
      v.clock.advance(4 * 60 * MIN); // Alertmanager's repeat_interval
      expect((await v.post('/api/v1/alerts/alertmanager', body)).status).toBe(202);
    }
    const list = await incidents(v);
    expect(list).toHaveLength(1);
    // Unchanged repeats are not written one by one; the scheduler records their receipt times in batches.
    await v.vigil.scheduler.tick();
    const after = await v.json('/api/v1/incidents/1');
    // Time passing brings escalations and reminders (from the scheduler); the repeats themselves add nothing.
    expect(after.timeline.filter((e: any) => e.source !== 'scheduler')).toEqual(before.timeline);
    expect(after.alerts[0].lastReceivedAt).toBe(new Date(v.clock.now()).toISOString());
    expect(after.alertCount).toBe(2);
    expect(after.alerts[0].receiveCount).toBe(4);
  });

  it('a repeat with new annotations updates the alert without a timeline entry', async () => {
    v = await startVigil();
    const body = fixture('alertmanager-v4-firing.json');
    await v.post('/api/v1/alerts/alertmanager', body);
    body.alerts[0].annotations.description = 'web-1 CPU usage is 99%';
    await v.post('/api/v1/alerts/alertmanager', body);
    body.alerts[0].annotations.description = 'web-1 CPU usage is 98%';
    await v.post('/api/v1/alerts/alertmanager', body);
    const incident = await v.json('/api/v1/incidents/1');
    expect(incident.alerts[0].annotations.description).toBe('web-1 CPU usage is 98%');
    expect(incident.alerts[0].receiveCount).toBe(3);
    expect(incident.timeline.map((e: any) => e.kind)).toEqual(['triggered', 'classified', 'alert_firing', 'paging', 'alert_firing']);
  });

  it('resolves the incident only when every alert has resolved', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-firing.json'));
    v.clock.advance(MIN);
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-partly-resolved.json'));
    let incident = await v.json('/api/v1/incidents/1');
    expect(incident.status).toBe('triggered');
    expect(incident.firingCount).toBe(1);
    expect(incident.alerts[0]).toMatchObject({ status: 'resolved', endsAt: '2026-11-22T16:27:04.000Z' });

    const all = fixture('alertmanager-v4-partly-resolved.json');
    all.alerts[1].status = 'resolved';
    all.alerts[1].endsAt = '2026-11-22T16:31:00Z';
    v.clock.advance(MIN);
    await v.post('/api/v1/alerts/alertmanager', all);
    incident = await v.json('/api/v1/incidents/1');
    expect(incident).toMatchObject({ status: 'resolved', resolvedBy: 'alertmanager', resolvedAt: new Date(v.clock.now()).toISOString() });
    expect(incident.timeline.at(-1)).toMatchObject({ kind: 'resolved', message: 'resolved: all alerts have resolved' });
  });

  it('a re-fire shortly after resolve reopens the same incident as flapping; a late one opens a new incident', async () => {
    v = await startVigil({ file: { incidents: { flapWindow: '10m' } } });
    const fire = (startsAt: string) => v.post('/api/v1/alerts/alertmanager', amWebhook([{ ...cpu('web-1'), startsAt }]));
    const resolve = (startsAt: string) =>
      v.post('/api/v1/alerts/alertmanager', amWebhook([{ ...cpu('web-1'), status: 'resolved', startsAt, endsAt: '2026-11-22T16:29:00Z' }]));
    await fire('2026-11-22T16:20:00Z');
    await resolve('2026-11-22T16:20:00Z');
    v.clock.advance(3 * MIN);
    await fire('2026-11-22T16:33:00Z');
    let list = await incidents(v);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'triggered', flapping: true, reopenCount: 1, resolvedAt: null });
    const timeline = (await v.json('/api/v1/incidents/1')).timeline;
    expect(timeline.find((e: any) => e.kind === 'reopened').message).toMatch(/fired again 3m after resolving/);

    await resolve('2026-11-22T16:33:00Z');
    v.clock.advance(11 * MIN);
    await fire('2026-11-22T16:45:00Z');
    list = await incidents(v);
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ id: 2, status: 'triggered', flapping: false });
    expect(list[1]).toMatchObject({ id: 1, status: 'resolved' });
    // The old incident keeps its own alert history.
    expect((await v.json('/api/v1/incidents/1')).alerts).toHaveLength(1);
  });

  it('groups by alertname and service, else job', async () => {
    v = await startVigil();
    await v.post(
      '/api/v1/alerts/alertmanager',
      amWebhook([
        { labels: { alertname: 'A', service: 's1' } },
        { labels: { alertname: 'A', service: 's2' } },
        { labels: { alertname: 'A', job: 'j', instance: '1' } },
        { labels: { alertname: 'A', job: 'j', instance: '2' } },
      ]),
    );
    const list = await incidents(v);
    expect(list.map((i) => i.alertCount).sort()).toEqual([1, 1, 2]);
    expect(list.find((i) => i.alertCount === 2).service).toBe('j');
  });

  it('notes an unknown severity on the timeline and treats it as warning', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'A', severity: 'purple' } }]));
    const incident = await v.json('/api/v1/incidents/1');
    expect(incident).toMatchObject({ severity: 'warning', priority: 'P2' });
    expect(incident.timeline.find((e: any) => e.kind === 'severity_unknown').message).toMatch(/unknown severity "purple"; treated as warning/);
  });

  it('treats a severity named like an object member (constructor, __proto__) as unknown, and stores the alerts sent with it', async () => {
    v = await startVigil();
    const res = await v.post(
      '/api/v2/alerts',
      [
        { labels: { alertname: 'A', service: 's1', severity: 'constructor' } },
        { labels: { alertname: 'B', service: 's2', severity: '__proto__' } },
        { labels: { alertname: 'C', service: 's3', severity: 'critical' } },
      ],
    );
    expect(res.status).toBe(200);
    const list = await incidents(v);
    expect(list.map((i) => [i.title.slice(0, 1), i.severity]).sort()).toEqual([
      ['A', 'warning'],
      ['B', 'warning'],
      ['C', 'critical'],
    ]);
    const a = await v.json(`/api/v1/incidents/${list.find((i) => i.title.startsWith('A')).id}`);
    expect(a.timeline.find((e: any) => e.kind === 'severity_unknown').message).toMatch(/unknown severity "constructor"; treated as warning/);
  });

  it('raises the incident severity when a more urgent alert joins', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'A', service: 's', severity: 'warning', instance: '1' } }]));
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'A', service: 's', severity: 'page', instance: '2' } }]));
    const incident = await v.json('/api/v1/incidents/1');
    expect(incident).toMatchObject({ severity: 'critical', priority: 'P1', alertCount: 2 });
    expect(incident.timeline.some((e: any) => e.kind === 'severity_changed')).toBe(true);
  });
});

describe('the same alert from Prometheus and from Alertmanager is one alert', () => {
  it('shares the fingerprint and the incident', async () => {
    v = await startVigil({ now: '2026-11-22T16:41:00Z' });
    const prom = fixture('prometheus-api-v2-alerts.json');
    expect((await v.post('/api/v2/alerts', prom)).status).toBe(200);
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: prom[0].labels, startsAt: prom[0].startsAt }]));
    const alerts = (await v.json('/api/v1/alerts')).alerts;
    expect(alerts).toHaveLength(1);
    expect(alerts[0].receiveCount).toBe(2);
    expect(await incidents(v)).toHaveLength(1);
  });
});

describe('fingerprints are computed from the labels, not taken from the sender', () => {
  it.each([
    ['/api/v1/alerts/alertmanager', (labels: Record<string, string>[]) => amWebhook(labels.map((l) => ({ labels: l, fingerprint: '00dbb13af3b1fee1' })))],
    ['/api/v1/alerts/grafana', (labels: Record<string, string>[]) => {
      const body = fixture('grafana-webhook-firing.json');
      body.alerts = labels.map((l) => ({ ...body.alerts[0], labels: l, fingerprint: 'c6eadffa33fcdf37' }));
      return body;
    }],
  ])('%s: two alerts with different labels and the same claimed fingerprint are two alerts', async (path, body) => {
    v = await startVigil({ now: '2026-11-22T16:41:00Z' });
    const labels = [
      { alertname: 'DiskFull', service: 'db', instance: 'db-1' },
      { alertname: 'DiskFull', service: 'db', instance: 'db-2' },
    ];
    expect((await v.post(path, body(labels))).status).toBe(202);
    const alerts = (await v.json('/api/v1/alerts')).alerts;
    expect(alerts.map((a: any) => a.labels.instance).sort()).toEqual(['db-1', 'db-2']);
    expect(new Set(alerts.map((a: any) => a.fingerprint)).size).toBe(2);
    expect((await incidents(v))[0].alertCount).toBe(2);
  });
});

describe('alert lifetimes (Alertmanager semantics)', () => {
  it('a posted alert resolves at its endsAt unless refreshed', async () => {
    v = await startVigil({ now: '2026-11-22T16:41:00Z' });
    await v.post('/api/v2/alerts', fixture('prometheus-api-v2-alerts.json')); // endsAt 16:44
    v.clock.set('2026-11-22T16:43:59Z');
    await v.vigil.scheduler.tick();
    expect((await incidents(v))[0].status).toBe('triggered');
    // Prometheus re-sends with a fresh endsAt on each evaluation.
    const refreshed = fixture('prometheus-api-v2-alerts.json');
    refreshed[0].endsAt = '2026-11-22T16:47:00Z';
    await v.post('/api/v2/alerts', refreshed);
    v.clock.set('2026-11-22T16:44:30Z');
    await v.vigil.scheduler.tick();
    expect((await incidents(v))[0].status).toBe('triggered');
    v.clock.set('2026-11-22T16:47:00Z');
    await v.vigil.scheduler.tick();
    const incident = await v.json('/api/v1/incidents/1');
    expect(incident.status).toBe('resolved');
    expect(incident.timeline.map((e: any) => e.kind)).toContain('alert_expired');
  });

  it('an alert without endsAt resolves after resolve_timeout', async () => {
    v = await startVigil({ file: { ingest: { resolveTimeout: '2m' } } });
    await v.post('/api/v2/alerts', [{ labels: { alertname: 'NoEnd', service: 'x' } }]);
    v.clock.advance(2 * MIN - 1);
    await v.vigil.scheduler.tick();
    expect((await incidents(v))[0].status).toBe('triggered');
    v.clock.advance(1);
    await v.vigil.scheduler.tick();
    expect((await incidents(v))[0].status).toBe('resolved');
  });

  it('a firing webhook alert does not expire: Alertmanager sends the resolve itself', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-firing.json'));
    v.clock.advance(24 * 60 * MIN);
    await v.vigil.scheduler.tick();
    expect((await incidents(v))[0].status).toBe('triggered');
  });
});

describe('people act on incidents through the API', () => {
  it('acknowledge, note and resolve, each on the timeline with who did it', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-firing.json'));
    v.clock.advance(2 * MIN);
    const ack = await v.post('/api/v1/incidents/1/acknowledge', { by: 'alice', note: 'looking' });
    expect(ack.status).toBe(200);
    expect((await ack.json())).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice', acknowledgedAt: new Date(v.clock.now()).toISOString() });
    // A second acknowledgement (another phone, a retry) keeps the first.
    expect(await (await v.post('/api/v1/incidents/1/acknowledge', { by: 'bob' })).json()).toMatchObject({ acknowledgedBy: 'alice' });

    const note = await v.post('/api/v1/incidents/1/notes', { by: 'alice', text: 'restarted web-1' });
    expect(note.status).toBe(201);
    v.clock.advance(MIN);
    const resolved = await v.post('/api/v1/incidents/1/resolve', { by: 'alice' });
    expect((await resolved.json())).toMatchObject({ status: 'resolved', resolvedBy: 'alice' });

    const incident = await v.json('/api/v1/incidents/1');
    expect(incident.timeline.filter((e: any) => e.actor === 'alice').map((e: any) => [e.kind, e.message])).toEqual([
      ['acknowledged', 'acknowledged by alice: looking'],
      ['note', 'restarted web-1'],
      ['resolved', 'resolved by alice'],
    ]);
    expect(incident.alerts.every((a: any) => a.status === 'resolved' && a.resolvedBy === 'alice')).toBe(true);
  });

  it('repeats of an occurrence resolved by hand do not reopen it; a new occurrence does', async () => {
    v = await startVigil({ file: { incidents: { flapWindow: '1m' } } });
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-firing.json'));
    await v.post('/api/v1/incidents/1/resolve', { by: 'alice' });
    v.clock.advance(4 * 60 * MIN);
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-firing.json'));
    expect(await incidents(v)).toHaveLength(1);
    expect((await incidents(v))[0].status).toBe('resolved');
    const again = fixture('alertmanager-v4-firing.json');
    again.alerts[0].startsAt = '2026-11-22T20:00:00Z';
    await v.post('/api/v1/alerts/alertmanager', again);
    const list = await incidents(v);
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({ status: 'triggered', alertCount: 1 });
  });

  it('409 acknowledging a resolved incident, 404 for an unknown one, 400 for a bad body', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-firing.json'));
    await v.post('/api/v1/incidents/1/resolve', {});
    const conflict = await v.post('/api/v1/incidents/1/acknowledge', {});
    expect(conflict.status).toBe(409);
    expect(((await conflict.json())).error.code).toBe('conflict');
    expect((await v.post('/api/v1/incidents/99/acknowledge', {})).status).toBe(404);
    expect((await v.get('/api/v1/incidents/abc')).status).toBe(404);
    const bad = await v.post('/api/v1/incidents/1/notes', { by: 'x' });
    expect(bad.status).toBe(400);
    expect(((await bad.json())).error.details[0].field).toBe('text');
    const empty = await fetch(`${v.url}/api/v1/incidents/1/resolve`, { method: 'POST' });
    expect(empty.status).toBe(200);
  });
});

describe('listing', () => {
  it('filters by status and severity, newest first, with a cursor', async () => {
    v = await startVigil();
    for (let i = 0; i < 5; i++) {
      await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: `A${i}`, severity: i % 2 ? 'warning' : 'critical' } }]));
    }
    await v.post('/api/v1/incidents/2/acknowledge', {});
    const page1 = await v.json('/api/v1/incidents?limit=2');
    expect(page1.incidents.map((i: any) => i.id)).toEqual([5, 4]);
    const page2 = await v.json(`/api/v1/incidents?limit=2&cursor=${page1.next}`);
    expect(page2.incidents.map((i: any) => i.id)).toEqual([3, 2]);
    const page3 = await v.json(`/api/v1/incidents?limit=2&cursor=${page2.next}`);
    expect(page3).toMatchObject({ next: null });
    expect(page3.incidents.map((i: any) => i.id)).toEqual([1]);
    expect((await incidents(v, '?severity=warning')).map((i) => i.id)).toEqual([4, 2]);
    expect((await incidents(v, '?status=acknowledged')).map((i) => i.id)).toEqual([2]);
    const bad = await v.get('/api/v1/incidents?status=sleeping');
    expect(bad.status).toBe(400);
    expect(((await bad.json())).error.details[0].field).toBe('status');
  });

  it('stores the team that was paged (the defaultTeam for no team or an unknown one) and filters by team and open status', async () => {
    v = await startVigil({ file: { rules: { dir: reportRulesDir() } } });
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'NoTeam', severity: 'critical' } }]));
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'Payments', team: 'payments', severity: 'warning' } }]));
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'Web', team: 'web', severity: 'warning' } }]));
    await v.post('/api/v1/incidents/1/acknowledge', {});
    await v.post('/api/v1/incidents/2/resolve', {});
    expect((await incidents(v)).map((i) => [i.id, i.team])).toEqual([[3, 'web'], [2, 'platform'], [1, 'platform']]);
    const classified = async (id: number) => (await v.json(`/api/v1/incidents/${id}`)).timeline.find((e: any) => e.kind === 'classified');
    expect((await classified(1)).message).toContain('team platform (default team), service');
    expect((await classified(2)).message).toContain('team platform (default team; "payments" is not a team), service');
    expect((await classified(3)).message).toContain('team web, service');
    // The page went to the default team's people.
    const pages = (await v.json('/api/v1/notifications?incident=1')).notifications.map((n: any) => n.recipient.person);
    expect(pages).toContain('alice');
    expect((await incidents(v, '?team=platform')).map((i) => i.id)).toEqual([2, 1]);
    expect((await incidents(v, '?team=web')).map((i) => i.id)).toEqual([3]);
    expect((await incidents(v, '?status=open')).map((i) => i.id)).toEqual([3, 1]);
    expect((await incidents(v, '?status=open&team=platform&severity=critical')).map((i) => i.id)).toEqual([1]);
  });

  it('an unknown query parameter is a 400 naming it, on every route that takes query parameters', async () => {
    v = await startVigil();
    const cases: [string, string, string][] = [
      ['/api/v1/incidents?stauts=open', 'stauts', 'status, severity, team, service, q, mine, sort, counts, limit, cursor'],
      ['/api/v1/alerts?incidnet=1', 'incidnet', 'status, incident, limit'],
      ['/api/v1/notifications?incident=1&attempt=true', 'attempt', 'incident, limit, attempts'],
      ['/api/v1/reports/summary?period=7d', 'period', 'since, until, team, tz, limit'],
      ['/api/v1/runbooks/runs?incident_id=1', 'incident_id', 'incident, limit'],
      ['/api/v1/oncall?when=now', 'when', 'team, at, shifts'],
      ['/api/v1/silences?status=active', 'status', 'state'],
    ];
    for (const [url, field, known] of cases) {
      const res = await v.get(url);
      expect(res.status, url).toBe(400);
      expect((await res.json()).error, url).toMatchObject({
        code: 'bad_request',
        message: `query: ${field}: unknown query parameter (expected ${known})`,
        details: [{ field, problem: `unknown query parameter (expected ${known})` }],
      });
    }
    const expire = await fetch(`${v.url}/api/v1/silences/abc?user=me`, { method: 'DELETE' });
    expect(expire.status).toBe(400);
    expect((await expire.json()).error.details[0].field).toBe('user');
  });

  it('lists alerts by status and incident', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-partly-resolved.json'));
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'Other' } }]));
    expect((await v.json('/api/v1/alerts?status=firing')).alerts).toHaveLength(2);
    expect((await v.json('/api/v1/alerts?incident=1')).alerts.map((a: any) => a.labels.instance)).toEqual(['web-2:9100']);
  });
});

describe('PagerDuty events', () => {
  it('a re-trigger with a more urgent severity pages again under the new policy', async () => {
    v = await startVigil({
      file: { ingest: { pagerduty: { routingKeys: [{ key: 'e93facc04764012d7bfb002500d5d1a6', service: 'storage-db', team: 'platform' }] } } },
    });
    const trigger = fixture('pagerduty-events-v2-trigger.json');
    await v.post('/v2/enqueue', { ...trigger, payload: { ...trigger.payload, severity: 'warning' } });
    const pagesOf = async () => ((await v.json('/api/v1/notifications?incident=1')).notifications as any[]).filter((n) => n.kind === 'page');
    expect((await pagesOf()).some((n) => n.channel === 'voice')).toBe(false);
    expect((await v.post('/v2/enqueue', trigger)).status).toBe(202);
    expect((await v.json('/api/v1/incidents/1')).severity).toBe('critical');
    // The critical policy calls the on-call person: the warning's email and chat were not the last word.
    expect((await pagesOf()).some((n) => n.channel === 'voice')).toBe(true);
  });

  it('trigger, acknowledge and resolve act on one incident keyed by dedup_key', async () => {
    v = await startVigil({
      file: { ingest: { pagerduty: { routingKeys: [{ key: 'e93facc04764012d7bfb002500d5d1a6', service: 'storage-db', team: 'storage' }] } } },
    });
    const trigger = fixture('pagerduty-events-v2-trigger.json');
    const res = await v.post('/v2/enqueue', trigger);
    expect(res.status).toBe(202);
    expect((await res.json())).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'db-1/replication-lag' });
    await v.post('/v2/enqueue', trigger);
    let list = await incidents(v);
    expect(list).toHaveLength(1);
    // "storage" is not a team in the shipped rules: the defaultTeam is paged, and the incident says so.
    expect(list[0]).toMatchObject({ title: 'Replication lag 340s on db-1', severity: 'critical', service: 'storage-db', team: 'platform', source: 'pagerduty' });

    const ack = { routing_key: trigger.routing_key, event_action: 'acknowledge', dedup_key: 'db-1/replication-lag' };
    expect((await v.post('/v2/enqueue', ack)).status).toBe(202);
    expect((await incidents(v))[0]).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'pagerduty' });

    expect((await v.post('/v2/enqueue', { ...ack, event_action: 'resolve' })).status).toBe(202);
    list = await incidents(v);
    expect(list[0]).toMatchObject({ status: 'resolved' });
  });

  it('generates a dedup_key when the trigger has none', async () => {
    v = await startVigil();
    const trigger = fixture('pagerduty-events-v2-trigger.json');
    delete trigger.dedup_key;
    const body = (await (await v.post('/v2/enqueue', trigger)).json());
    expect(body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('Grafana', () => {
  it('keeps values and links on the stored alert', async () => {
    v = await startVigil();
    expect((await v.post('/api/v1/alerts/grafana', fixture('grafana-webhook-firing.json'))).status).toBe(202);
    const [alert] = (await v.json('/api/v1/alerts')).alerts;
    expect(alert.values).toEqual({ A: 91.2, C: 1 });
    expect(alert.links.map((l: any) => l.text)).toEqual(['Source', 'Dashboard', 'Panel', 'Silence']);
    expect((await incidents(v))[0]).toMatchObject({ team: 'platform', severity: 'warning', title: 'Disk /var is 91% full on db-1' });
    expect(alert.labels.team).toBe('storage');
  });
});

describe('metrics', () => {
  it('counts received alerts and open incidents', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-partly-resolved.json'));
    const text = await (await v.get('/metrics')).text();
    expect(text).toContain('vigil_alerts_received_total{source="alertmanager",status="firing"} 1');
    expect(text).toContain('vigil_alerts_received_total{source="alertmanager",status="resolved"} 1');
    expect(text).toContain('vigil_incidents_open{severity="critical"} 1');
    expect(text).toMatch(/vigil_ingest_duration_seconds_count\{source="alertmanager"\} 1/);
    expect(text).toMatch(/vigil_store_commit_duration_seconds_count [1-9]/);
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('exports http_request_duration_seconds and http_requests_total for every door, by route pattern and code', async () => {
    v = await startVigil();
    await v.post('/api/v1/alerts/alertmanager', fixture('alertmanager-v4-partly-resolved.json'));
    await v.get('/api/v1/incidents/1');
    await v.get('/api/v1/incidents/1');
    await v.get('/api/v1/incidents/999');
    await v.get('/no/such/page');
    const text = await (await v.get('/metrics')).text();
    expect(text).toContain('http_requests_total{method="POST",route="/api/v1/alerts/alertmanager",code="202"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/incidents/:id",code="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/incidents/:id",code="404"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="(unmatched)",code="404"} 1');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.5",method="GET",route="\/api\/v1\/incidents\/:id",code="200"\} 2/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/alerts\/alertmanager",code="202"\} 1/);
  });
});

describe('the board query (console)', () => {
  it('orders open incidents by urgency, pages with a cursor, filters by service and text, and counts per status', async () => {
    v = await startVigil();
    const send = (labels: Record<string, string>) => v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels }]));
    await send({ alertname: 'DiskFilling', service: 'db', severity: 'warning' });
    v.clock.advance(1000);
    await send({ alertname: 'InstanceDown', service: 'web', instance: 'web-1', severity: 'critical' });
    v.clock.advance(1000);
    await send({ alertname: 'Nightly', service: 'jobs', severity: 'info' });
    v.clock.advance(1000);
    await send({ alertname: 'ApiDown', service: 'api', instance: 'api-<b>1</b>', severity: 'critical' });
    await v.post('/api/v1/incidents/3/resolve', {});

    const first = await v.json('/api/v1/incidents?status=open&sort=urgency&limit=2&counts=true');
    // Critical first (the older one first), then the warning; the resolved info incident is not open.
    expect(first.incidents.map((i: any) => [i.id, i.severity])).toEqual([
      [2, 'critical'],
      [4, 'critical'],
    ]);
    expect(first.counts).toEqual({ triggered: 3, acknowledged: 0, resolved: 1, open: 3, all: 4 });
    const second = await v.json(`/api/v1/incidents?status=open&sort=urgency&limit=2&cursor=${first.next}`);
    expect(second.incidents.map((i: any) => i.id)).toEqual([1]);
    expect(second.next).toBeNull();

    expect((await v.json('/api/v1/incidents?service=db')).incidents.map((i: any) => i.id)).toEqual([1]);
    // Text matches titles and label values, case-insensitive; % and _ are literal.
    expect((await v.json('/api/v1/incidents?q=API-%3Cb%3E1')).incidents.map((i: any) => i.id)).toEqual([4]);
    expect((await v.json('/api/v1/incidents?q=diskfill')).incidents.map((i: any) => i.id)).toEqual([1]);
    expect((await v.json('/api/v1/incidents?q=%25')).incidents).toEqual([]);
    // A cursor from one order does not page another; "mine" needs a person.
    expect((await v.get(`/api/v1/incidents?cursor=${first.next}`)).status).toBe(400);
    expect((await v.get('/api/v1/incidents?mine=true')).status).toBe(400);
  });
});

describe('silence preview (console)', () => {
  it('lists the firing alerts a silence would mute now, and creates nothing', async () => {
    v = await startVigil();
    await v.post(
      '/api/v1/alerts/alertmanager',
      amWebhook([
        { labels: { alertname: 'InstanceDown', instance: 'web-1', job: 'node' } },
        { labels: { alertname: 'InstanceDown', instance: 'web-2', job: 'node' } },
        { labels: { alertname: 'DiskFull', instance: 'db-1', job: 'node' } },
      ]),
    );
    const res = await v.post('/api/v1/silences/preview', { matchers: ['alertname="InstanceDown"', 'instance=~"web-.*"'] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.total).toBe(2);
    expect(body.alerts.map((a: any) => a.labels.instance).sort()).toEqual(['web-1', 'web-2']);
    expect((await v.json('/api/v1/silences')).silences).toEqual([]);
    expect((await v.post('/api/v1/silences/preview', { matchers: ['instance=~".*"'] })).status).toBe(400);
  });
});
