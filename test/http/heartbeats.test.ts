import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
let w: TestVigil | undefined;
afterEach(async () => {
  await v?.close();
  await w?.close();
  w = undefined;
});

const MIN = 60_000;
const H = 60 * MIN;
const auth = { ingestTokens: ['ingest-tok'], apiTokens: ['api-tok'] };
const API = { authorization: 'Bearer api-tok' };
const INGEST = { authorization: 'Bearer ingest-tok' };
const repoRules = path.join(import.meta.dirname, '..', '..', 'rules');

/** The shipped rules plus these files (name → YAML). */
function rulesDir(extra: Record<string, string>): string {
  const dir = path.join(tempDir(), 'rules');
  mkdirSync(dir);
  cpSync(repoRules, dir, { recursive: true });
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text);
  return dir;
}

/** Moves the clock on and runs one scheduler tick. */
async function after(t: TestVigil, ms: number): Promise<void> {
  t.clock.set(t.clock.now() + ms);
  await t.vigil.scheduler.tick();
}

const beat = (t: TestVigil, name: string) => t.json(`/api/v1/heartbeats/${name}`, API);
const incidents = async (t: TestVigil) => (await t.json('/api/v1/incidents', API)).incidents as any[];
const incident = (t: TestVigil, id: number) => t.json(`/api/v1/incidents/${id}`, API);
const pages = async (t: TestVigil, id: number) => ((await t.json(`/api/v1/notifications?incident=${id}`, API)).notifications as any[]).filter((n) => n.kind === 'page');
const watchdog = (t: TestVigil) => t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'Watchdog', severity: 'none' } }]), INGEST);
const send = (t: TestVigil, pathname: string, init: RequestInit = {}) => fetch(t.url + pathname, { method: 'POST', ...init });
const create = (t: TestVigil, body: object) => t.post('/api/v1/heartbeats', body, API);

describe('the watchdog heartbeat', () => {
  it('the Watchdog alert keeps it up and is never an incident; when it stops, one incident opens after the grace, pages, and closes with how long it was down', async () => {
    v = await startVigil({ auth });
    await v.vigil.scheduler.tick();
    expect((await beat(v, 'watchdog')).state).toBe('new');
    for (let i = 0; i < 3; i++) {
      expect((await watchdog(v)).status).toBe(202);
      await after(v, MIN);
    }
    expect(await incidents(v)).toEqual([]);
    expect(await beat(v, 'watchdog')).toMatchObject({ state: 'late', lastPingAt: new Date(v.clock.now() - MIN).toISOString() });

    // No Watchdog any more: late at its due time, down once the 5m grace has passed.
    await after(v, 4 * MIN);
    expect(await incidents(v)).toEqual([]);
    await after(v, MIN);
    const [opened] = await incidents(v);
    expect(opened).toMatchObject({ id: 1, title: 'Heartbeat watchdog missed (last ping 6 min ago)', severity: 'critical', status: 'triggered', service: 'monitoring', source: 'heartbeat' });
    expect((await pages(v, 1)).length).toBeGreaterThan(0);
    expect((await beat(v, 'watchdog')).state).toBe('down');
    // Still silent: still the one incident, and its down event once.
    await after(v, 10 * MIN);
    expect(await incidents(v)).toHaveLength(1);
    const { timeline } = await incident(v, 1);
    expect(timeline.filter((e: any) => e.kind === 'heartbeat_down')).toHaveLength(1);
    expect(timeline.find((e: any) => e.kind === 'heartbeat_down').message).toMatch(/^watchdog was due at .* and sent no ping within the 5m grace; last ping at /);

    await watchdog(v);
    const closed = await incident(v, 1);
    expect(closed.status).toBe('resolved');
    expect(closed.timeline.find((e: any) => e.kind === 'heartbeat_up').message).toBe('Heartbeat watchdog is up again (alert Watchdog) after 10m down');
    expect((await beat(v, 'watchdog')).state).toBe('up');

    const metrics = await (await v.get('/metrics')).text();
    expect(metrics).toContain('vigil_heartbeat_state{name="watchdog",state="up"} 1');
    expect(metrics).toContain('vigil_heartbeat_state{name="watchdog",state="down"} 0');
    expect(metrics).toContain(`vigil_heartbeat_last_ping_timestamp_seconds{name="watchdog"} ${v.clock.now() / 1000}`);
  });
});

describe('pings', () => {
  it('by name with the ingest token (bearer or basic), by POST, GET or HEAD; unknown names, wrong keys and bad suffixes answer the same 404', async () => {
    v = await startVigil({ auth });
    expect((await send(v, '/api/v1/heartbeats/watchdog/ping')).status).toBe(401);
    expect((await send(v, '/api/v1/heartbeats/watchdog/ping', { headers: API })).status).toBe(401);
    const ok = await send(v, '/api/v1/heartbeats/watchdog/ping', { headers: INGEST });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, heartbeat: 'watchdog', state: 'up' });
    const basic = { authorization: `Basic ${Buffer.from('cron:ingest-tok').toString('base64')}` };
    expect((await fetch(`${v.url}/api/v1/heartbeats/watchdog/ping`, { headers: basic })).status).toBe(200);
    const head = await fetch(`${v.url}/api/v1/heartbeats/watchdog/ping`, { method: 'HEAD', headers: INGEST });
    expect(head.status).toBe(200);

    const unknown = await send(v, '/api/v1/heartbeats/nightly-backup/ping', { headers: INGEST });
    const wrongKey = await send(v, '/ping/not-a-key');
    const badSuffix = await send(v, '/api/v1/heartbeats/watchdog/ping/later', { headers: INGEST });
    const bodies = await Promise.all([unknown, wrongKey, badSuffix].map(async (r) => [r.status, await r.json()]));
    expect(bodies).toEqual([
      [404, { error: { code: 'not_found', message: 'no heartbeat monitor at this address', details: null } }],
      [404, { error: { code: 'not_found', message: 'no heartbeat monitor at this address', details: null } }],
      [404, { error: { code: 'not_found', message: 'no heartbeat monitor at this address', details: null } }],
    ]);
  });

  it('a monitor made through the API: its secret URL needs no header; a start without success goes late then down; a failure is down at once with its output; exit codes', async () => {
    v = await startVigil({ auth });
    const res = await create(v, { name: 'backup', every: '1d', grace: '30m', severity: 'warning', service: 'backups' });
    expect(res.status).toBe(201);
    const made = await res.json();
    expect(made).toMatchObject({ name: 'backup', state: 'new', origin: 'api', schedule: 'every 1d', grace: '30m', hasPingKey: true, key: expect.any(String) });
    expect(made.keyUrl).toBe(`http://localhost:9095/ping/${made.key}`);
    const key = `/ping/${made.key}`;
    // Never pinged: nothing is due, nothing pages however long it stays quiet.
    await after(v, 3 * 24 * H);
    expect(await incidents(v)).toEqual([]);

    expect(await (await send(v, key, { body: 'backup ok' })).json()).toEqual({ ok: true, heartbeat: 'backup', state: 'up' });
    expect((await beat(v, 'backup')).lastOutput).toBe('backup ok');
    await after(v, 23 * H);
    expect((await send(v, `${key}/start`)).status).toBe(200);
    expect((await beat(v, 'backup')).startedAt).toBe(new Date(v.clock.now()).toISOString());
    await after(v, 30 * MIN);
    expect((await beat(v, 'backup')).state).toBe('late');
    await after(v, 30 * MIN);
    const [missed] = await incidents(v);
    expect(missed).toMatchObject({ title: 'Heartbeat backup missed: run started 60 min ago did not finish', severity: 'warning', service: 'backups' });

    expect(await (await send(v, `${key}/0`, { body: 'done late' })).json()).toMatchObject({ state: 'up' });
    expect((await incident(v, missed.id)).status).toBe('resolved');
    expect(await beat(v, 'backup')).toMatchObject({ state: 'up', lastExitCode: 0, lastPingKind: 'success' });

    await after(v, H);
    const output = 'tar: /var/backups: No space left on device\nexit 2';
    expect(await (await send(v, `${key}/fail`, { body: output })).json()).toMatchObject({ state: 'down' });
    const open = (await incidents(v)).find((i) => i.status !== 'resolved');
    expect(open.title).toBe('Heartbeat backup failed');
    const shown = await incident(v, open.id);
    expect(shown.alerts[0].annotations.output).toBe(output);
    expect(shown.timeline.filter((e: any) => e.kind === 'heartbeat_down').at(-1).message).toContain(`Last output:\n${output}`);
    // Failing again while down changes nothing; an exit code other than 0 is a failure, 0 a success.
    expect(await (await send(v, `${key}/3`)).json()).toMatchObject({ state: 'down' });
    expect((await beat(v, 'backup')).lastExitCode).toBe(3);
    expect((await incident(v, open.id)).timeline.filter((e: any) => e.kind === 'heartbeat_down')).toHaveLength(1);
    expect(await (await fetch(`${v.url}${key}/0`)).json()).toMatchObject({ state: 'up' });
    expect((await incident(v, open.id)).status).toBe('resolved');
  });

  it('refuses bad input and changes nothing: an oversize body, bad definitions, duplicates, unknown runbooks, deleting a file monitor', async () => {
    v = await startVigil({ auth });
    await send(v, '/api/v1/heartbeats/watchdog/ping', { headers: INGEST });
    const before = await beat(v, 'watchdog');
    v.clock.set(v.clock.now() + MIN);
    const big = await send(v, '/api/v1/heartbeats/watchdog/ping', { headers: INGEST, body: 'x'.repeat(11 * 1024) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.message).toBe("a ping body (the run's output) is at most 10240 bytes");
    expect(await beat(v, 'watchdog')).toEqual(before);

    const problem = async (body: unknown) => {
      const r = await v.post('/api/v1/heartbeats', body, API);
      return [r.status, (await r.json()).error.message];
    };
    expect(await problem({ name: 'x', every: '1h', cron: '0 3 * * *' })).toEqual([400, 'heartbeat: every: give exactly one schedule: every (a duration) or cron (5 fields)']);
    expect(await problem({ name: 'x', cron: '0 3 * *' })).toEqual([400, 'heartbeat: cron: invalid cron expression "0 3 * *": expected 5 fields (minute hour day-of-month month day-of-week)']);
    expect(await problem({ name: '../x', every: '1h' })).toEqual([400, 'heartbeat: name: must be 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit']);
    expect(await problem({ name: 'x', every: '1h', severity: 'fatal' })).toEqual([400, expect.stringMatching(/^heartbeat: severity: /)]);
    expect(await problem({ name: 'x', every: '1h', colour: 'red' })).toEqual([400, expect.stringMatching(/^heartbeat: .*colour/)]);
    expect(await problem({ name: 'x', every: '1h', runbooks: ['no-such-runbook'] })).toEqual([400, 'heartbeat: runbooks: unknown runbook "no-such-runbook"']);
    expect(await problem('{"name": ')).toEqual([400, expect.any(String)]);
    expect(await problem({ name: 'watchdog', every: '1h' })).toEqual([409, 'a heartbeat monitor named "watchdog" already exists']);
    const del = await fetch(`${v.url}/api/v1/heartbeats/watchdog`, { method: 'DELETE', headers: API });
    expect([del.status, (await del.json()).error.message]).toEqual([409, 'heartbeat "watchdog" is defined in rules/60-heartbeats.yaml: remove it there']);
    expect((await fetch(`${v.url}/api/v1/heartbeats/nope`, { method: 'DELETE', headers: API })).status).toBe(404);
    expect((await v.json('/api/v1/heartbeats', API)).heartbeats.map((h: any) => h.name)).toEqual(['watchdog']);
    // The API needs the API token; an ingest token does not open it.
    expect((await v.get('/api/v1/heartbeats', INGEST)).status).toBe(401);
  });
});

describe('pausing and muting', () => {
  it('a paused monitor pages nobody however late; resumed, it has a full period; deleted, it is gone', async () => {
    v = await startVigil({ auth });
    const { key } = await (await create(v, { name: 'etl', every: '1h', grace: '5m' })).json();
    await send(v, `/ping/${key}`);
    expect(await (await v.post('/api/v1/heartbeats/etl/pause?by=alice', {}, API)).json()).toMatchObject({ state: 'paused', paused: true });
    await after(v, 5 * H);
    expect(await incidents(v)).toEqual([]);
    const resumed = await (await v.post('/api/v1/heartbeats/etl/resume', {}, API)).json();
    expect(resumed).toMatchObject({ state: 'up', nextDueAt: new Date(v.clock.now() + H).toISOString() });
    expect((await fetch(`${v.url}/api/v1/heartbeats/etl`, { method: 'DELETE', headers: API })).status).toBe(204);
    expect((await send(v, `/ping/${key}`)).status).toBe(404);
    await after(v, 3 * H);
    expect(await incidents(v)).toEqual([]);
  });

  it('pausing a monitor that is down resolves its incident and says so', async () => {
    v = await startVigil({ auth });
    await create(v, { name: 'etl', every: '1h', grace: '5m' });
    await send(v, '/api/v1/heartbeats/etl/ping/fail', { headers: INGEST });
    const [down] = await incidents(v);
    await v.post('/api/v1/heartbeats/etl/pause?by=alice', {}, API);
    const shown = await incident(v, down.id);
    expect(shown.status).toBe('resolved');
    expect(shown.timeline.find((e: any) => e.kind === 'heartbeat_up').message).toBe('Heartbeat etl paused by alice; its incident resolves');
  });

  it('a silence or a maintenance window matching its labels shows it paused and keeps its incident from paging', async () => {
    const dir = rulesDir({
      '70-jobs.yaml': [
        'heartbeats:',
        '  - { name: etl, every: 1h, grace: 5m, service: warehouse }',
        '  - { name: report, every: 1h, grace: 5m, service: reporting }',
        'maintenance:',
        '  - name: warehouse-migration',
        "    matchers: ['service=\"warehouse\"']",
        '    timeZone: UTC',
        '    weekly: { days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "24:00" }',
        '',
      ].join('\n'),
    });
    v = await startVigil({ auth, file: { rules: { dir } } });
    await v.vigil.scheduler.tick();
    const silence = await v.post('/api/v1/silences', { matchers: ['heartbeat="report"'], duration: '1d', createdBy: 'bob', comment: 'report job moved' }, API);
    expect(silence.status).toBe(201);
    for (const name of ['etl', 'report']) await send(v, `/api/v1/heartbeats/${name}/ping`, { headers: INGEST });
    const listed = (await v.json('/api/v1/heartbeats', API)).heartbeats as any[];
    expect(listed.find((h) => h.name === 'etl')).toMatchObject({ state: 'paused', paused: false, muted: expect.stringMatching(/^in maintenance window "warehouse-migration"/) });
    expect(listed.find((h) => h.name === 'report')).toMatchObject({ state: 'paused', muted: expect.stringMatching(/^silenced by bob/) });

    await after(v, H + 10 * MIN);
    const opened = await incidents(v);
    expect(opened.map((i) => i.title).sort()).toEqual(['Heartbeat etl missed (last ping 70 min ago)', 'Heartbeat report missed (last ping 70 min ago)']);
    for (const i of opened) {
      expect(i.suppressed).toBe(true);
      expect(await pages(v, i.id)).toEqual([]);
    }
  });
});

describe('heartbeats in rules files and across restarts', () => {
  it('a cron monitor in a rules file follows its zone across the DST change: late, down, up', async () => {
    const dir = rulesDir({ '70-backup.yaml': "heartbeats:\n  - { name: nightly-backup, cron: '30 2 * * *', timeZone: Europe/Berlin, grace: 1h, severity: warning }\n" });
    // Saturday 28 March 2026, 02:35 in Berlin (CET); the night after, 02:30 does not exist.
    v = await startVigil({ auth, file: { rules: { dir } }, now: '2026-03-28T01:35:00Z' });
    await v.vigil.scheduler.tick();
    await send(v, '/api/v1/heartbeats/nightly-backup/ping', { headers: INGEST });
    expect((await beat(v, 'nightly-backup')).nextDueAt).toBe('2026-03-29T01:00:00.000Z');
    v.clock.set(Date.parse('2026-03-29T01:00:00Z'));
    await v.vigil.scheduler.tick();
    expect((await beat(v, 'nightly-backup')).state).toBe('late');
    v.clock.set(Date.parse('2026-03-29T01:59:59Z'));
    await v.vigil.scheduler.tick();
    expect(await incidents(v)).toEqual([]);
    v.clock.set(Date.parse('2026-03-29T02:00:00Z'));
    await v.vigil.scheduler.tick();
    expect((await incidents(v))[0]).toMatchObject({ title: 'Heartbeat nightly-backup missed (last ping 24 h ago)', severity: 'warning' });
    await send(v, '/api/v1/heartbeats/nightly-backup/ping', { headers: INGEST });
    expect(await beat(v, 'nightly-backup')).toMatchObject({ state: 'up', nextDueAt: '2026-03-30T00:30:00.000Z' });
    expect((await incidents(v))[0].status).toBe('resolved');
  });

  it('a broken heartbeat in a rules file is refused naming file and line, and the monitors in force stay', async () => {
    const dir = rulesDir({ '70-jobs.yaml': 'heartbeats:\n  - { name: etl, every: 1h }\n' });
    v = await startVigil({ auth, file: { rules: { dir } } });
    await v.vigil.scheduler.tick();
    writeFileSync(path.join(dir, '70-jobs.yaml'), 'heartbeats:\n  - name: etl\n    every: 1h\n  - name: etl-2\n    cron: "61 * * * *"\n');
    const res = await v.post('/-/reload', {}, API);
    expect(res.status).toBe(500);
    const err = (await res.json()).error;
    expect(err.message).toMatch(/70-jobs\.yaml:5:\d+: heartbeats\.1\.cron: invalid cron expression "61 \* \* \* \*"/);
    expect((await v.json('/api/v1/heartbeats', API)).heartbeats.map((h: any) => h.name)).toEqual(['etl', 'watchdog']);
    // Fixed: the new monitor is there; removed from the files, a monitor goes.
    writeFileSync(path.join(dir, '70-jobs.yaml'), 'heartbeats:\n  - name: etl-2\n    cron: "5 * * * *"\n');
    expect((await v.post('/-/reload', {}, API)).status).toBe(200);
    await v.vigil.scheduler.tick();
    expect((await v.json('/api/v1/heartbeats', API)).heartbeats.map((h: any) => `${h.name} ${h.schedule}`)).toEqual(['etl-2 cron 5 * * * * (UTC)', 'watchdog every 1m']);
  });

  it('a restart while a monitor is due gives it its grace again from start-up instead of paging for the time Vigil was away, and says so', async () => {
    const dbPath = path.join(tempDir(), 'vigil.db');
    v = await startVigil({ auth, dbPath });
    await create(v, { name: 'etl', every: '1h', grace: '10m' });
    await send(v, '/api/v1/heartbeats/etl/ping', { headers: INGEST });
    await after(v, 20 * MIN);
    const stoppedAt = v.clock.now();
    await v.close();

    // Vigil is away for two hours: the ping was due (and its grace over) meanwhile.
    w = await startVigil({ auth, dbPath, now: stoppedAt + 2 * H });
    await w.vigil.scheduler.tick();
    expect(await incidents(w)).toEqual([]);
    expect((await beat(w, 'etl')).state).toBe('late');
    await after(w, 10 * MIN);
    const [opened] = await incidents(w);
    expect(opened.title).toBe('Heartbeat etl missed (last ping 2.5 h ago)');
    const down = (await incident(w, opened.id)).timeline.find((e: any) => e.kind === 'heartbeat_down');
    expect(down.message).toContain(`Vigil was not running from ${new Date(stoppedAt).toISOString()} to ${new Date(stoppedAt + 2 * H).toISOString()}; the 10m grace started again at start-up.`);
  });

  it('the digest counts the incidents heartbeats opened', async () => {
    v = await startVigil({ auth });
    const since = new Date(v.clock.now()).toISOString();
    await create(v, { name: 'etl', every: '1h', grace: '5m' });
    await send(v, '/api/v1/heartbeats/etl/ping/fail', { headers: INGEST });
    await v.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'DiskFull', severity: 'warning' } }]), INGEST);
    v.clock.set(v.clock.now() + H);
    const summary = await v.json(`/api/v1/reports/summary?since=${since}&until=${new Date(v.clock.now()).toISOString()}`, API);
    expect(summary.incidents).toMatchObject({ total: 2, heartbeats: 1 });
  });
});
