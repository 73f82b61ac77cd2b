import { afterEach, describe, expect, it } from 'vitest';
import { startVigil, type TestVigil } from '../helpers/vigil.js';

/**
 * Alertmanager's API v2, read and silence side, as Grafana's Alertmanager data source calls it (basic auth, the
 * API token as password): status for its health check, groups and alerts with filters, silences created,
 * updated and expired. amtool's side is proved against the real amtool in test/e2e/amtool.test.ts.
 */
const TOKEN = 'am-api-token';
const basic = { authorization: `Basic ${Buffer.from(`grafana:${TOKEN}`).toString('base64')}` };
const MIN = 60_000;

let v: TestVigil;
afterEach(async () => v?.close());

async function start() {
  v = await startVigil({ auth: { apiTokens: [TOKEN], ingestTokens: [] }, now: '2026-12-01T10:00:00Z' });
  const alerts = [
    { labels: { alertname: 'DiskFull', instance: 'db-1', service: 'db', severity: 'warning' }, annotations: { summary: 'db-1 disk' } },
    { labels: { alertname: 'DiskFull', instance: 'db-2', service: 'db', severity: 'warning' }, annotations: { summary: 'db-2 disk' } },
    { labels: { alertname: 'HighCPU', instance: 'web-1', service: 'web', severity: 'critical' }, annotations: {}, generatorURL: 'http://prometheus:9090/graph?g0.expr=cpu' },
  ].map((a) => ({ ...a, startsAt: '2026-12-01T09:55:00Z' }));
  const res = await v.post('/api/v2/alerts', alerts);
  expect(res.status, await res.text()).toBe(200);
}

const send = (method: string, path: string, body?: unknown) =>
  fetch(v.url + path, { method, headers: { ...basic, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });

describe("Alertmanager's API v2 on Vigil", () => {
  it('answers the health check Grafana makes, with Alertmanager\'s status shape', async () => {
    await start();
    const status = await v.json('/api/v2/status', basic);
    expect(status).toMatchObject({ cluster: { status: 'disabled', peers: [] }, versionInfo: { version: expect.any(String) }, uptime: '2026-12-01T10:00:00.000Z' });
    expect(status.config.original).toContain('receivers:');
    expect(await v.json('/api/v2/receivers', basic)).toEqual(expect.arrayContaining([{ name: 'platform' }, { name: 'vigil' }]));
  });

  it('lists firing alerts in Alertmanager\'s GettableAlert shape and filters them like Alertmanager', async () => {
    await start();
    const alerts = await v.json<any[]>('/api/v2/alerts', basic);
    expect(alerts).toHaveLength(3);
    const cpu = alerts.find((a) => a.labels.alertname === 'HighCPU');
    expect(Object.keys(cpu).sort()).toEqual(['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'receivers', 'startsAt', 'status', 'updatedAt']);
    expect(cpu).toMatchObject({
      startsAt: '2026-12-01T09:55:00.000Z',
      updatedAt: '2026-12-01T10:00:00.000Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=cpu',
      // Its incident's team (the rules' default team here) is its receiver.
      receivers: [{ name: 'platform' }],
      status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    });
    expect(Date.parse(cpu.endsAt)).toBeGreaterThan(v.clock.now());
    const q = (query: string) => v.json<any[]>(`/api/v2/alerts?${query}`, basic);
    expect((await q('filter=alertname%3D%22DiskFull%22')).map((a) => a.labels.instance).sort()).toEqual(['db-1', 'db-2']);
    expect((await q('filter=alertname%3D%22DiskFull%22&filter=instance%3D~%22db-2%22')).map((a) => a.labels.instance)).toEqual(['db-2']);
    expect(await q('active=false')).toEqual([]);
    expect(await q('receiver=nobody')).toEqual([]);
    expect(await q('receiver=plat.*')).toHaveLength(3);
  });

  it('groups alerts by incident, with the labels it groups by and its receiver', async () => {
    await start();
    const groups = await v.json<any[]>('/api/v2/alerts/groups', basic);
    const disk = groups.find((g) => g.labels.alertname === 'DiskFull');
    // The labels the incident groups by (the shipped rules: alertname and service), as Alertmanager shows its group_by.
    expect(disk.labels).toEqual({ alertname: 'DiskFull', service: 'db' });
    expect(disk.receiver).toEqual({ name: 'platform' });
    expect(disk.alerts.map((a: any) => a.labels.instance).sort()).toEqual(['db-1', 'db-2']);
  });

  it('creates, reads, updates and expires silences as Grafana does, and silenced alerts show it at once', async () => {
    await start();
    const created = await send('POST', '/api/v2/silences', {
      matchers: [{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }],
      startsAt: '2026-12-01T10:00:00Z',
      endsAt: '2026-12-01T12:00:00Z',
      createdBy: 'grafana-user',
      comment: 'disk swap',
    });
    expect(created.status).toBe(200);
    const { silenceID } = await created.json();
    const silence = await v.json(`/api/v2/silence/${silenceID}`, basic);
    expect(silence).toEqual({
      id: silenceID,
      status: { state: 'active' },
      updatedAt: '2026-12-01T10:00:00.000Z',
      comment: 'disk swap',
      createdBy: 'grafana-user',
      startsAt: '2026-12-01T10:00:00.000Z',
      endsAt: '2026-12-01T12:00:00.000Z',
      matchers: [{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }],
    });
    const silenced = await v.json<any[]>('/api/v2/alerts?filter=alertname%3D%22DiskFull%22', basic);
    expect(silenced.map((a) => a.status)).toEqual([0, 1].map(() => ({ state: 'suppressed', silencedBy: [silenceID], inhibitedBy: [] })));
    expect(await v.json('/api/v2/alerts?silenced=false&filter=alertname%3D%22DiskFull%22', basic)).toEqual([]);
    // The silence is Vigil's: the v1 API and the console see it too.
    expect((await v.json(`/api/v1/silences/${silenceID}`, basic)).matchers).toEqual(['alertname="DiskFull"']);

    // An update with the id: the old one expires, a new one takes its place.
    v.clock.advance(5 * MIN);
    const updated = await send('POST', '/api/v2/silences', { ...silence, id: silenceID, endsAt: '2026-12-01T14:00:00Z', comment: 'longer swap' });
    const next = (await updated.json()).silenceID;
    expect(next).not.toBe(silenceID);
    expect((await v.json(`/api/v2/silence/${silenceID}`, basic)).status.state).toBe('expired');
    expect(await v.json(`/api/v2/silence/${next}`, basic)).toMatchObject({ status: { state: 'active' }, endsAt: '2026-12-01T14:00:00.000Z', comment: 'longer swap' });

    expect((await send('DELETE', `/api/v2/silence/${next}`)).status).toBe(200);
    expect((await v.json(`/api/v2/silence/${next}`, basic)).status.state).toBe('expired');
    expect((await v.json<any[]>('/api/v2/silences', basic)).map((s) => s.status.state)).toEqual(['expired', 'expired']);
  });

  it('refuses what Alertmanager refuses, answering a JSON string as Alertmanager does, and changes nothing', async () => {
    await start();
    const bad = async (res: Promise<Response>, status: number, message: RegExp) => {
      const r = await res;
      expect(r.status).toBe(status);
      expect(await r.json()).toMatch(message);
    };
    const base = { startsAt: '2026-12-01T10:00:00Z', endsAt: '2026-12-01T12:00:00Z', createdBy: 'x', comment: 'y' };
    await bad(send('POST', '/api/v2/silences', { ...base, matchers: [{ name: 'alertname', value: '.*', isRegex: true, isEqual: true }] }), 400, /must not match the empty string/);
    await bad(send('POST', '/api/v2/silences', { ...base, matchers: [] }), 400, /matchers/);
    await bad(send('POST', '/api/v2/silences', { ...base, endsAt: '2026-12-01T09:00:00Z', matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }] }), 400, /before end time/);
    await bad(send('POST', '/api/v2/silences', { ...base, matchers: [{ name: 'a', value: '(', isRegex: true, isEqual: true }] }), 400, /.+/);
    await bad(send('GET', '/api/v2/silence/nope'), 404, /not found/);
    await bad(send('DELETE', '/api/v2/silence/nope'), 404, /not found/);
    await bad(send('GET', '/api/v2/alerts?filter=%7Bbroken'), 400, /.+/);
    expect(await v.json('/api/v2/silences', basic)).toEqual([]);
  });

  it('needs the API token: without it, or with the ingest door\'s, nothing is read', async () => {
    await start();
    expect((await fetch(`${v.url}/api/v2/alerts`)).status).toBe(401);
    expect((await fetch(`${v.url}/api/v2/silences`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${v.url}/api/v2/status`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  });
});
