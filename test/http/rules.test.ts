import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

const MIN = 60_000;
const repoRules = path.join(import.meta.dirname, '..', '..', 'rules');

/** The teams the rules below name; they hold the roles the shipped policies page besides the built-in ones. */
const teams = 'teams:\n  - { name: payments, roles: { owner: [], management: [] } }\n  - { name: billing }\n';

/** A rules directory with the shipped policies, the teams above and the given extra file. */
function rulesDir(extra: Record<string, string> = {}): string {
  const dir = path.join(tempDir(), 'rules');
  mkdirSync(dir);
  copyFileSync(path.join(repoRules, '00-policies.yaml'), path.join(dir, '00-policies.yaml'));
  writeFileSync(path.join(dir, '01-teams.yaml'), teams);
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const fire = (t: TestVigil, labels: Record<string, string>, extra: object = {}) =>
  t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels, ...extra }]));
const incident = (t: TestVigil, id = 1) => t.json(`/api/v1/incidents/${id}`);

describe('rules decide severity, title and policy, and say why', () => {
  it('InstanceDown without a severity label is a P1 with the templated title and an explanation', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1:9100', job: 'node' });
    const i = await incident(v);
    expect(i).toMatchObject({ severity: 'critical', priority: 'P1', title: 'web-1:9100 is down (node)', service: 'node' });
    const why = i.timeline.find((e: any) => e.kind === 'classified');
    expect(why.message).toContain('severity critical (rule instance-down)');
    expect(why.message).toContain('oncall by voice, chat');
    expect(why.message).toContain('ack within 15m');
    expect(why.data).toMatchObject({ matchedRules: ['instance-down'], ackSla: 15 * MIN });
    expect(i.timeline.some((e: any) => e.kind === 'severity_unknown')).toBe(false);
  });

  it('the Watchdog pings the watchdog heartbeat and opens no incident; a dead man\'s switch no heartbeat takes is info whatever its label says', async () => {
    v = await startVigil();
    expect(await (await fire(v, { alertname: 'Watchdog', severity: 'critical' })).json()).toEqual({ accepted: 1 });
    expect((await v.json('/api/v1/incidents')).incidents).toEqual([]);
    expect((await v.json('/api/v1/heartbeats/watchdog')).state).toBe('up');
    await fire(v, { alertname: 'DeadMansSwitch', severity: 'critical' });
    expect(await incident(v)).toMatchObject({ severity: 'info', priority: 'P4' });
  });
});

describe('silences', () => {
  const silence = (t: TestVigil, body: object) => t.post('/api/v1/silences', body);

  it('a silenced critical alert is stored, shown as suppressed, and pages normally once the silence ends', async () => {
    v = await startVigil();
    const created = await silence(v, { matchers: ['service="checkout"'], duration: '30m', createdBy: 'alice', comment: 'deploying checkout' });
    expect(created.status).toBe(201);
    const s = await created.json();
    expect(s).toMatchObject({ matchers: ['service="checkout"'], state: 'active', createdBy: 'alice' });

    await fire(v, { alertname: 'HighCPU', service: 'checkout', severity: 'critical', instance: 'web-1' });
    let i = await incident(v);
    expect(i).toMatchObject({ severity: 'critical', suppressed: true, status: 'triggered' });
    expect(i.alerts[0]).toMatchObject({ suppressed: true, suppressedBy: { kind: 'silence', id: s.id } });
    expect(i.timeline.find((e: any) => e.kind === 'suppressed').message).toMatch(/silenced by alice .*deploying checkout/);

    v.clock.advance(29 * MIN);
    await v.vigil.scheduler.tick();
    expect((await incident(v)).suppressed).toBe(true);
    v.clock.advance(MIN);
    await v.vigil.scheduler.tick();
    i = await incident(v);
    expect(i.suppressed).toBe(false);
    expect(i.alerts[0].suppressedBy).toBeNull();
    expect(i.timeline.find((e: any) => e.kind === 'unsuppressed')).toMatchObject({ message: expect.stringMatching(/pages again: silence .* ended/) });
    // Suppressed, it paged nobody; released, it pages its policy.
    const paging = i.timeline.filter((e: any) => e.kind === 'paging');
    expect(paging).toHaveLength(1);
    expect(paging[0].at).toBe(new Date(v.clock.now()).toISOString());
    expect((await (await v.get(`/api/v1/silences/${s.id}`)).json()).state).toBe('expired');
  });

  it('a new silence mutes alerts already firing; expiring it by hand un-mutes them', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'DiskFull', service: 'db', severity: 'warning' });
    const s = await (await silence(v, { matchers: '{alertname="DiskFull", service=~"d.*"}', duration: '1h', createdBy: 'bob', comment: 'known' })).json();
    expect(s.matchers).toEqual(['alertname="DiskFull"', 'service=~"d.*"']);
    await v.vigil.scheduler.tick();
    expect((await incident(v)).suppressed).toBe(true);
    const del = await fetch(`${v.url}/api/v1/silences/${s.id}?by=bob`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ state: 'expired' });
    await v.vigil.scheduler.tick();
    expect((await incident(v)).suppressed).toBe(false);
    expect((await fetch(`${v.url}/api/v1/silences/${s.id}`, { method: 'DELETE' })).status).toBe(409);
    expect((await fetch(`${v.url}/api/v1/silences/nope`, { method: 'DELETE' })).status).toBe(404);
  });

  it('a pending silence starts muting at its start time', async () => {
    v = await startVigil();
    const startsAt = new Date(v.clock.now() + 10 * MIN).toISOString();
    const s = await (await silence(v, { matchers: ['alertname="Batch"'], startsAt, duration: '1h', createdBy: 'ops', comment: 'nightly batch' })).json();
    expect(s.state).toBe('pending');
    await fire(v, { alertname: 'Batch', severity: 'warning' });
    await v.vigil.scheduler.tick();
    expect((await incident(v)).suppressed).toBe(false);
    v.clock.advance(10 * MIN);
    await v.vigil.scheduler.tick();
    expect((await incident(v)).suppressed).toBe(true);
    expect((await v.json('/api/v1/silences?state=active')).silences.map((x: any) => x.id)).toEqual([s.id]);
    expect((await v.json('/api/v1/silences?state=expired')).silences).toEqual([]);
  });

  it.each([
    [{ matchers: ['severity~critical'], duration: '1h', createdBy: 'a', comment: 'c' }, 'matchers', /expected one of/],
    [{ matchers: ['team=~".*"'], duration: '1h', createdBy: 'a', comment: 'c' }, 'matchers', /must not match the empty string/],
    [{ matchers: ['annotations.summary="x"'], duration: '1h', createdBy: 'a', comment: 'c' }, 'matchers', /labels only/],
    [{ matchers: ['a="b"'], endsAt: '2020-01-01T00:00:00Z', createdBy: 'a', comment: 'c' }, 'endsAt', /after startsAt/],
    [{ matchers: ['a="b"'], createdBy: 'a', comment: 'c' }, 'endsAt', /required/],
    [{ matchers: ['a="b"'], duration: '1h', comment: 'c' }, 'createdBy', /required/],
    [{ matchers: ['a="b"'], duration: 'soon', createdBy: 'a', comment: 'c' }, 'duration', /invalid/],
    [{ matchers: ['a="b"'], duration: '200000000d', createdBy: 'a', comment: 'c' }, 'duration', /too late/],
  ])('400 for a bad silence (%#)', async (body, field, problem) => {
    v = await startVigil();
    const res = await silence(v, body);
    expect(res.status).toBe(400);
    const err = (await res.json()).error;
    expect(err.details[0].field).toBe(field);
    expect(err.details[0].problem).toMatch(problem);
    expect((await v.json('/api/v1/silences')).silences).toEqual([]);
  });
});

describe('inhibition', () => {
  it('InstanceDown mutes warnings on the same instance until it resolves', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node', severity: 'critical' });
    await fire(v, { alertname: 'HighMemory', instance: 'web-1', service: 'shop', severity: 'warning' });
    await fire(v, { alertname: 'HighMemory', instance: 'web-2', service: 'shop', severity: 'warning' });
    const alerts = (await v.json('/api/v1/alerts?status=firing')).alerts;
    const byInstance = Object.fromEntries(alerts.filter((a: any) => a.labels.alertname === 'HighMemory').map((a: any) => [a.labels.instance, a]));
    expect(byInstance['web-1'].suppressedBy).toMatchObject({ kind: 'inhibited', id: 'instance-down-mutes-its-warnings' });
    expect(byInstance['web-1'].suppressedBy.reason).toContain('InstanceDown{web-1}');
    expect(byInstance['web-2'].suppressedBy).toBeNull();

    await v.post(
      '/api/v1/alerts/alertmanager',
      amWebhook([{ labels: { alertname: 'InstanceDown', instance: 'web-1', job: 'node', severity: 'critical' }, status: 'resolved', endsAt: '2026-11-22T16:31:00Z' }]),
    );
    await v.vigil.scheduler.tick();
    const after = (await v.json(`/api/v1/alerts?incident=${byInstance['web-1'].incidentId}`)).alerts;
    expect(after.find((a: any) => a.labels.instance === 'web-1').suppressedBy).toBeNull();
  });

  it('warnings that fired before the inhibiting alert are muted on the next tick', async () => {
    v = await startVigil();
    await fire(v, { alertname: 'HighMemory', instance: 'web-1', service: 'shop', severity: 'warning' });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node', severity: 'critical' });
    await v.vigil.scheduler.tick();
    expect((await incident(v, 1)).suppressed).toBe(true);
    expect((await incident(v, 2)).suppressed).toBe(false);
  });
});

describe('maintenance windows', () => {
  it('alerts matching an open window are suppressed, and page once it closes', async () => {
    const dir = rulesDir({
      '10-maintenance.yaml': [
        'rules:',
        '  - name: default',
        'maintenance:',
        '  - name: sunday-db',
        '    matchers: [\'service="db"\']',
        '    timeZone: Europe/Berlin',
        '    weekly: { days: [sun], start: "02:00", end: "04:00" }',
        '',
      ].join('\n'),
    });
    // Sunday 29 March 2026, 02:30 local does not exist (DST starts): 03:30 CEST = 01:30 UTC is inside.
    v = await startVigil({ file: { rules: { dir } }, now: '2026-03-29T01:30:00Z' });
    await fire(v, { alertname: 'Vacuum', service: 'db', severity: 'critical' });
    await fire(v, { alertname: 'Vacuum', service: 'api', severity: 'critical' });
    let list = (await v.json('/api/v1/incidents')).incidents;
    expect(list.find((i: any) => i.service === 'db').suppressed).toBe(true);
    expect(list.find((i: any) => i.service === 'api').suppressed).toBe(false);
    const db = list.find((i: any) => i.service === 'db');
    expect((await incident(v, db.id)).alerts[0].suppressedBy).toMatchObject({ kind: 'maintenance', id: 'sunday-db', until: '2026-03-29T02:00:00.000Z' });
    v.clock.set('2026-03-29T02:00:00Z'); // 04:00 CEST: the window closes
    await v.vigil.scheduler.tick();
    list = (await v.json('/api/v1/incidents')).incidents;
    expect(list.find((i: any) => i.service === 'db').suppressed).toBe(false);
  });
});

describe('reload', () => {
  it('a broken file keeps the previous rules, names file and line, and sets the metric; a fixed one applies', async () => {
    const good = 'rules:\n  - name: payments\n    match: \'service="pay"\'\n    set: { severity: critical, team: payments }\n  - name: default\n';
    const dir = rulesDir({ '10-rules.yaml': good });
    v = await startVigil({ file: { rules: { dir } } });
    writeFileSync(path.join(dir, '10-rules.yaml'), good.replace('severity: critical', 'severity: catastrophic'));
    const res = await v.post('/-/reload', '');
    expect(res.status).toBe(500);
    const err = (await res.json()).error;
    expect(err.code).toBe('invalid_config');
    expect(err.message).toMatch(/10-rules\.yaml:4:\d+: rules\.0\.set\.severity/);
    expect(await (await v.get('/metrics')).text()).toMatch(/vigil_config_last_reload_successful 0/);
    await fire(v, { alertname: 'Refunds', service: 'pay', severity: 'info' });
    expect(await incident(v)).toMatchObject({ severity: 'critical', team: 'payments' });

    writeFileSync(path.join(dir, '10-rules.yaml'), good.replace('team: payments', 'team: billing'));
    const ok = await v.post('/-/reload', '');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'reloaded', rules: 2 });
    expect(await (await v.get('/metrics')).text()).toMatch(/vigil_config_last_reload_successful 1/);
    await fire(v, { alertname: 'Chargebacks', service: 'pay', severity: 'info' });
    expect(await incident(v, 2)).toMatchObject({ team: 'billing' });
  });

  it('a typo in a policy role fails the reload with its line and column, and the previous policies stay', async () => {
    const dir = rulesDir({ '10-rules.yaml': 'rules:\n  - name: default\n' });
    v = await startVigil({ file: { rules: { dir } } });
    const file = path.join(dir, '00-policies.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('- role: oncall ', '- role: oncal  '));
    const res = await v.post('/-/reload', '');
    expect(res.status).toBe(500);
    const problem = 'unknown role "oncal" (known: oncall, on-duty, team, owner, management)';
    const shown = path.relative(process.cwd(), file);
    expect((await res.json()).error).toEqual({
      code: 'invalid_config',
      message: `reload failed; the previous files stay in force: ${shown}:9:15: policies.critical.notify.0.role: ${problem}`,
      details: [{ file: shown, line: 9, column: 15, field: 'policies.critical.notify.0.role', problem }],
    });
    await fire(v, { alertname: 'Down', severity: 'critical' });
    const why = (await incident(v)).timeline.find((e: any) => e.kind === 'classified');
    expect(why.message).toContain('notify: oncall by voice, chat; on-duty by sms; management by email');
  });

  it('needs the API token when one is set', async () => {
    v = await startVigil({ auth: { apiTokens: ['api'] } });
    expect((await v.post('/-/reload', '')).status).toBe(401);
    expect((await v.post('/-/reload', '', { authorization: 'Bearer api' })).status).toBe(200);
  });
});
