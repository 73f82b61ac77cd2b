import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, editDatabase, startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';
import { realSleep } from '../../src/runbooks/timing.js';
import { VigilError } from '../../src/errors/errors.js';
import { refusalText } from '../../src/notify/inbound/refusal.js';
import { translator } from '../../src/text/messages/catalog.js';
import { approvalRunbook, json, startPrometheus, startServer, vector, type TestServer } from '../fixtures/runbooks/servers.js';

let v: TestVigil | undefined;
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await v?.close();
  v = undefined;
  for (const s of servers.splice(0)) await s.close();
});

const MIN = 60_000;
const repoRules = path.join(import.meta.dirname, '..', '..', 'rules');

/** A rules dir (shipped policies and people) with one rule running `runbook` on SlowApi warnings. */
function rulesDir(runbook: string, hold = '5m'): string {
  const dir = path.join(tempDir(), 'rules');
  mkdirSync(dir);
  for (const f of ['00-policies.yaml', '20-people.yaml', '25-escalation.yaml', '30-schedules.yaml']) copyFileSync(path.join(repoRules, f), path.join(dir, f));
  writeFileSync(
    path.join(dir, '50-rules.yaml'),
    `rules:
  - name: slow-api
    match: 'alertname=~"SlowApi|SlowApi2"'
    set: { severity: warning, runbooks: [${runbook}], policy: { holdPageFor: ${hold}, bundleWindow: 0s } }
`,
  );
  return dir;
}

/** A runbooks dir with a scale-up runbook calling `target` and checking Prometheus. */
function runbooksDir(target: TestServer, extra: Record<string, string> = {}, scale = ''): string {
  const dir = path.join(tempDir(), 'runbooks');
  mkdirSync(dir);
  writeFileSync(
    path.join(dir, 'scale.yaml'),
    `name: scale
rate_limit: { max: 1, per: 1h, key: '{{ labels.service }}' }
allow_hosts: ['${target.host}']
steps:
  - name: scale
    type: http
    method: POST
    url: ${target.base}/v1/services/{{ labels.service }}/scale
    body: { service: '{{ labels.service }}' }
    timeout: 5s
    on_failure: stop
  - name: verify
    type: check
    query: 'up{service="{{ labels.service }}"}'
    condition: == 1
    retries: 3
    interval: 10s
${scale}`,
  );
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text);
  return dir;
}

async function setup(opts: { target?: (status: number) => number; prom?: number[]; runbook?: string; runbooks?: Record<string, string>; config?: Record<string, unknown> } = {}) {
  const target = await startServer((_req, res) => json(res, opts.target ? opts.target(200) : 200, { ok: true }));
  const prom = await startPrometheus((opts.prom ?? [1]).map((n) => vector(n)));
  servers.push(target, prom);
  v = await startVigil({
    file: {
      rules: { dir: rulesDir(opts.runbook ?? 'scale') },
      runbooks: { dir: runbooksDir(target, opts.runbooks), prometheusUrl: prom.base, ...opts.config },
    },
  });
  return { target, prom, vigil: v };
}

const fire = (t: TestVigil, labels: Record<string, string> = {}, status: 'firing' | 'resolved' = 'firing') =>
  t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels: { alertname: 'SlowApi', service: 'checkout', ...labels }, status }]));
const timeline = async (t: TestVigil, id = 1) => (await t.json(`/api/v1/incidents/${id}`)).timeline as { kind: string; message: string; data: any }[];
const kinds = async (t: TestVigil, kind: string, id = 1) => (await timeline(t, id)).filter((e) => e.kind === kind).map((e) => e.message);
const pages = async (t: TestVigil, id = 1) =>
  ((await t.json(`/api/v1/notifications?incident=${id}`)).notifications as { kind: string }[]).filter((n) => n.kind === 'page');
const runDone = (t: TestVigil, id = 1, n = 1) =>
  waitFor(
    async () => {
      const runs = (await t.json(`/api/v1/runbooks/runs?incident=${id}`)).runs as { status: string; outcome: string }[];
      return runs.length >= n && runs.every((r) => r.status === 'done') ? runs : undefined;
    },
    5000,
    'runbook runs to finish',
  );

describe('runbooks on incidents', () => {
  it('a fix that works closes the incident as self-healed and wakes nobody', async () => {
    const { target, prom, vigil } = await setup({ prom: [0, 0, 1] });
    expect((await fire(vigil)).status).toBe(202);
    const [run] = await runDone(vigil);
    expect(run).toMatchObject({ runbook: 'scale', outcome: 'succeeded', target: 'checkout', trigger: 'rule' });
    expect(target.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual(['POST /v1/services/checkout/scale {"service":"checkout"}']);
    expect(prom.queries).toEqual(['up{service="checkout"}', 'up{service="checkout"}', 'up{service="checkout"}']);
    expect(await kinds(vigil, 'page_held')).toEqual(['page held for 5m while scale tries a fix']);
    expect((await kinds(vigil, 'runbook_step')).map((m) => m.split(':').slice(0, 2).join(':'))).toEqual(['scale: step scale (http) succeeded', 'scale: step verify (check) succeeded']);
    expect(await pages(vigil)).toEqual([]);

    vigil.clock.advance(2 * MIN);
    await fire(vigil, {}, 'resolved');
    const incident = await vigil.json('/api/v1/incidents/1');
    expect(incident).toMatchObject({ status: 'resolved', selfHealed: true, pageHeldUntil: null });
    expect((await kinds(vigil, 'self_healed'))[0]).toMatch(/^closed as self-healed: resolved 2m after it opened/);
    // The hold's timer is gone: nothing pages later.
    vigil.clock.advance(10 * MIN);
    await vigil.vigil.scheduler.tick();
    expect(await pages(vigil)).toEqual([]);
    expect(await (await vigil.get('/metrics')).text()).toContain('vigil_runbook_runs_total{runbook="scale",outcome="succeeded"} 1');
  });

  it('a fix that did not help pages when the hold ends, with what was tried on the timeline', async () => {
    const { vigil } = await setup();
    await fire(vigil);
    await runDone(vigil);
    await vigil.vigil.scheduler.tick();
    expect(await pages(vigil)).toEqual([]);
    vigil.clock.advance(5 * MIN);
    await vigil.vigil.scheduler.tick();
    expect(await kinds(vigil, 'hold_ended')).toEqual(['not resolved within the 5m hold: paging']);
    expect((await pages(vigil)).length).toBeGreaterThan(0);
    expect((await vigil.json('/api/v1/incidents/1')).selfHealed).toBe(false);
  });

  it('a failing step pages at once and says which step failed', async () => {
    const { vigil, prom } = await setup({ target: () => 500 });
    await fire(vigil);
    const [run] = await runDone(vigil);
    expect(run).toMatchObject({ outcome: 'failed' });
    expect(prom.queries).toEqual([]); // the check never ran: the step before it stopped the run
    // The held page (and its hold_ended event) are written after the run is recorded done.
    await waitFor(async () => (await pages(vigil)).length > 0, 5000, 'the held page');
    expect((await kinds(vigil, 'hold_ended'))[0]).toMatch(/^runbook scale failed \(step scale failed: .*500.*\): paging$/);
    expect(await (await vigil.get('/metrics')).text()).toContain('vigil_runbook_runs_total{runbook="scale",outcome="failed"} 1');
  });

  it('the rate limit refuses the next run for the same target, and the page says why', async () => {
    const { vigil, target } = await setup();
    await fire(vigil);
    await runDone(vigil);
    await fire(vigil, { alertname: 'SlowApi2' });
    await runDone(vigil, 2);
    expect(target.requests).toHaveLength(1);
    expect(await kinds(vigil, 'runbook_refused', 2)).toEqual(['scale ran 1 time for checkout in the last 1h; paging a human instead']);
    await waitFor(async () => (await pages(vigil, 2)).length > 0, 5000, 'the held page');
    expect(await kinds(vigil, 'hold_ended', 2)).toEqual(['scale ran 1 time for checkout in the last 1h; paging a human instead: paging']);
    expect(await (await vigil.get('/metrics')).text()).toContain('vigil_runbook_runs_total{runbook="scale",outcome="refused_rate_limit"} 1');
  });

  it('a run over the concurrency limit waits its turn instead of being refused', async () => {
    let open = 0;
    let most = 0;
    const target = await startServer((_req, res) => {
      open++;
      most = Math.max(most, open);
      setTimeout(() => {
        open--;
        json(res, 200, {});
      }, 200);
    });
    const prom = await startPrometheus([vector(1)]);
    servers.push(target, prom);
    const dir = runbooksDir(target).replace(/runbooks$/, 'runbooks');
    writeFileSync(path.join(dir, 'scale.yaml'), readFileSync(path.join(dir, 'scale.yaml'), 'utf8').replace('rate_limit: { max: 1,', 'concurrency: 1\nrate_limit: { max: 9,'));
    v = await startVigil({ file: { rules: { dir: rulesDir('scale') }, runbooks: { dir, prometheusUrl: prom.base } } });
    await fire(v);
    await fire(v, { alertname: 'SlowApi2' });
    await runDone(v, 1);
    await runDone(v, 2);
    expect(target.requests).toHaveLength(2);
    expect(most).toBe(1);
    expect(await kinds(v, 'runbook_refused', 2)).toEqual([]);
  });

  it('two runs for one target admitted side by side still share one rate-limit slot', async () => {
    const target = await startServer((_req, res) => setTimeout(() => json(res, 200, {}), 200));
    const prom = await startPrometheus([vector(1)]);
    servers.push(target, prom);
    const dir = runbooksDir(target);
    writeFileSync(path.join(dir, 'scale.yaml'), readFileSync(path.join(dir, 'scale.yaml'), 'utf8').replace('rate_limit:', 'concurrency: 2\nrate_limit:'));
    v = await startVigil({ file: { rules: { dir: rulesDir('scale') }, runbooks: { dir, prometheusUrl: prom.base } } });
    expect((await v.post('/api/v1/alerts/alertmanager', amWebhook([
      { labels: { alertname: 'SlowApi', service: 'checkout' } },
      { labels: { alertname: 'SlowApi2', service: 'checkout' } },
    ]))).status).toBe(202);
    await runDone(v, 1);
    await runDone(v, 2);
    expect(target.requests).toHaveLength(1);
    const refused = [...(await kinds(v, 'runbook_refused', 1)), ...(await kinds(v, 'runbook_refused', 2))];
    expect(refused).toEqual(['scale ran 1 time for checkout in the last 1h; paging a human instead']);
  });

  it('a global dry run records what would be done, calls nothing, and does not hold the page', async () => {
    const { vigil, target, prom } = await setup({ config: { dryRun: true } });
    await fire(vigil);
    const [run] = await runDone(vigil);
    expect(run).toMatchObject({ outcome: 'dry_run', dryRun: true });
    expect(target.requests).toEqual([]);
    expect(prom.queries).toEqual([]);
    expect((await kinds(vigil, 'runbook_step'))[0]).toMatch(/dry run/);
    await waitFor(async () => (await pages(vigil)).length > 0, 5000, 'the held page after the dry run');
    // Dry runs do not count against the rate limit (max 1 per hour for the target).
    await fire(vigil, { alertname: 'SlowApi2' });
    const [second] = await runDone(vigil, 2);
    expect(second).toMatchObject({ outcome: 'dry_run' });
    expect(await kinds(vigil, 'runbook_refused', 2)).toEqual([]);
  });

  it('the kill switch refuses every run and pages at once', async () => {
    const { vigil, target } = await setup({ config: { enabled: false } });
    await fire(vigil);
    await runDone(vigil);
    expect(target.requests).toEqual([]);
    expect(await kinds(vigil, 'runbook_refused')).toEqual(['runbooks are switched off (runbooks.enabled: false); paging a human instead']);
    // The held page goes out in the write after the one that records the refusal.
    await waitFor(async () => (await pages(vigil)).length > 0, 5000, 'the held page after the refusal');
  });

  it('alert labels cannot move a request to another host or path segment', async () => {
    const { vigil, target } = await setup();
    await fire(vigil, { service: 'x/../../admin?evil=1#@attacker.example' });
    await runDone(vigil);
    expect(target.requests.map((r) => r.url)).toEqual(['/v1/services/x%2F..%2F..%2Fadmin%3Fevil%3D1%23%40attacker.example/scale']);
    expect(JSON.parse(target.requests[0]!.body)).toEqual({ service: 'x/../../admin?evil=1#@attacker.example' });
  });
});

describe('runbooks across a restart', () => {
  it('a run cut off by a crash is recorded as interrupted, not repeated, and the held page goes out', async () => {
    const target = await startServer((_req, res) => json(res, 200, {}));
    const prom = await startPrometheus([vector(1)]);
    servers.push(target, prom);
    const db = path.join(tempDir(), 'vigil.db');
    const file = { rules: { dir: rulesDir('scale') }, runbooks: { dir: runbooksDir(target), prometheusUrl: prom.base } };
    v = await startVigil({ file, dbPath: db });
    await fire(v);
    await runDone(v);
    const config = v.vigil.config;
    await v.close();
    // What a kill -9 in the middle of the run leaves behind: the run still marked running, the page still held.
    await editDatabase(config, [
      ["UPDATE runbook_runs SET status = 'running', outcome = NULL, ended_at = NULL"],
      ['UPDATE incidents SET hold_until = ?', Date.parse('2026-11-22T16:35:00Z')],
    ]);
    v = await startVigil({ file, dbPath: db });
    await v.vigil.scheduler.tick();
    const [run] = await runDone(v);
    expect(run).toMatchObject({ outcome: 'interrupted' });
    expect(target.requests).toHaveLength(1);
    await waitFor(async () => (await pages(v!)).length > 0, 5000, 'the held page');
    expect((await kinds(v, 'hold_ended'))[0]).toMatch(/^runbook scale was interrupted by a restart of Vigil; it is not repeated automatically: paging$/);
  });
});

describe('runbooks by hand, approvals and the API', () => {
  // An approval waits in real time here (a person answers through the API within the test), capped short.
  const approvalSleep = (ms: number, signal?: AbortSignal) => realSleep(Math.min(ms, 20_000), signal);

  it('lists the loaded runbooks and runs one by hand after a person approves', async () => {
    const target = await startServer((_req, res) => json(res, 200, {}));
    servers.push(target);
    const dir = runbooksDir(target, { 'careful.yaml': approvalRunbook(target) });
    v = await startVigil({ file: { rules: { dir: rulesDir('scale', '0s') }, runbooks: { dir } }, sleep: approvalSleep });
    const list = await v.json('/api/v1/runbooks');
    expect(list.runbooks.map((b: any) => [b.name, b.steps.map((s: any) => s.type).join(',')])).toEqual([
      ['careful', 'approve,http'],
      ['scale', 'http,check'],
    ]);
    await fire(v);
    await runDone(v);
    const res = await v.post('/api/v1/incidents/1/runbooks/careful/run', { by: 'alice' });
    expect(res.status).toBe(202);
    const { id } = await res.json();
    const waiting = await waitFor(
      async () => {
        const run = await v!.json(`/api/v1/runbooks/runs/${id}`);
        return run.approvals[0]?.status === 'pending' ? run : undefined;
      },
      5000,
      'the run to wait for approval',
    );
    expect(waiting.approvals[0].prompt).toBe('Restart checkout?');
    // The responders hear about it (chat gets Approve / Reject buttons).
    const updates = ((await v.json('/api/v1/notifications?incident=1')).notifications as any[]).filter((n) => n.kind === 'update');
    expect(updates.length).toBeGreaterThan(0);
    expect(target.requests.filter((r) => r.url === '/restart')).toEqual([]);
    const ok = await v.post(`/api/v1/runbooks/runs/${id}/approve`, { by: 'bob', comment: 'go' });
    expect(ok.status).toBe(200);
    const done = await waitFor(
      async () => {
        const run = await v!.json(`/api/v1/runbooks/runs/${id}`);
        return run.status === 'done' ? run : undefined;
      },
      5000,
      'the run to end',
    );
    expect(done).toMatchObject({ outcome: 'succeeded', trigger: 'manual', requestedBy: 'alice' });
    expect(done.approvals[0]).toMatchObject({ status: 'approved', decidedBy: 'bob', comment: 'go' });
    expect(target.requests.filter((r) => r.url === '/restart')).toHaveLength(1);
    expect(await kinds(v, 'runbook_approval')).toEqual([
      expect.stringMatching(/^runbook careful waits for approval: Restart checkout\?/),
      'bob approved step ask of careful: go',
    ]);
    // Nothing waits any more: a second decision is a conflict.
    expect((await v.post(`/api/v1/runbooks/runs/${id}/reject`, { by: 'bob' })).status).toBe(409);
    // What a decision that came too late is told, in the reader's language: a chat button names the run; an SMS
    // reply's short code (REJECT 1a2b3c4d) finds only runs still going.
    const code = String(id).slice(0, 8);
    const late = await v.vigil.runner.decide(String(id), { approved: false, by: 'wei' }).catch((err: unknown) => err);
    expect(late).toBeInstanceOf(VigilError);
    expect(refusalText(late as VigilError, translator('zh-CN'))).toBe(`运行手册任务 ${code} 不在等待审批。`);
    expect(refusalText(late as VigilError, translator('en'))).toBe(`Runbook run ${code} is not waiting for an approval.`);
    const byCode = await v.vigil.runner.decide(code, { approved: false, by: 'wei' }).catch((err: unknown) => err);
    expect(refusalText(byCode as VigilError, translator('zh-CN'))).toBe(`未找到运行手册任务 ${code}。`);
  });

  it('a rejected approval stops the run before it acts', async () => {
    const target = await startServer((_req, res) => json(res, 200, {}));
    servers.push(target);
    const dir = runbooksDir(target, { 'careful.yaml': approvalRunbook(target) });
    v = await startVigil({ file: { rules: { dir: rulesDir('scale', '0s') }, runbooks: { dir } }, sleep: approvalSleep });
    await fire(v);
    await runDone(v);
    const { id } = await (await v.post('/api/v1/incidents/1/runbooks/careful/run', { by: 'alice' })).json();
    await waitFor(async () => (await v!.json(`/api/v1/runbooks/runs/${id}`)).approvals[0]?.status === 'pending', 5000, 'approval request');
    // The short code an SMS reply carries (REJECT 1a2b3c4d) names the run too.
    expect((await v.post(`/api/v1/runbooks/runs/${String(id).slice(0, 8)}/reject`, { by: 'bob' })).status).toBe(200);
    const done = await waitFor(async () => {
      const run = await v!.json(`/api/v1/runbooks/runs/${id}`);
      return run.status === 'done' ? run : undefined;
    }, 5000, 'the run to end');
    expect(done.outcome).toBe('failed');
    expect(target.requests.filter((r) => r.url === '/restart')).toEqual([]);
  });

  it('answers 404 for unknown runbooks and incidents, 400 for bad bodies', async () => {
    const { vigil } = await setup();
    await fire(vigil);
    expect((await vigil.post('/api/v1/incidents/1/runbooks/nope/run', {})).status).toBe(404);
    expect((await vigil.post('/api/v1/incidents/99/runbooks/scale/run', {})).status).toBe(404);
    expect((await vigil.post('/api/v1/incidents/1/runbooks/scale/run', { dryRun: 'yes' })).status).toBe(400);
    expect((await vigil.post('/api/v1/runbooks/runs/nope/approve', { by: 'x' })).status).toBe(404);
  });

  it('a broken runbook file fails the reload, names the file, and keeps the old runbooks', async () => {
    const target = await startServer((_req, res) => json(res, 200, {}));
    servers.push(target);
    const dir = runbooksDir(target);
    v = await startVigil({ file: { rules: { dir: rulesDir('scale') }, runbooks: { dir } } });
    writeFileSync(path.join(dir, 'broken.yaml'), 'name: broken\nsteps:\n  - name: x\n    type: teleport\n');
    const res = await v.post('/-/reload', {});
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).toMatch(/broken\.yaml:\d+:\d+/);
    expect((await v.json('/api/v1/runbooks')).runbooks.map((b: any) => b.name)).toEqual(['scale']);
    expect(await (await v.get('/metrics')).text()).toContain('vigil_runbooks_last_reload_successful 0');
  });
});

describe('rules and runbooks name each other', () => {
  const reload = async (t: TestVigil) => {
    const res = await t.post('/-/reload', {});
    return { status: res.status, body: await res.json() };
  };
  const loaded = async (t: TestVigil) => (await t.json('/api/v1/runbooks')).runbooks.map((b: any) => b.name);

  it('start-up refuses a rule naming a runbook that is not there, naming file, line and column', async () => {
    const target = await startServer((_req, res) => json(res, 200, {}));
    servers.push(target);
    const rules = rulesDir('scael');
    await expect(startVigil({ file: { rules: { dir: rules }, runbooks: { dir: runbooksDir(target) } } })).rejects.toThrow(
      `${path.relative(process.cwd(), path.join(rules, '50-rules.yaml'))}:4:42: rules.0.set.runbooks.0: unknown runbook "scael" (known: scale)`,
    );
  });

  it('a rules reload naming a missing runbook fails and keeps the previous rules', async () => {
    const { vigil } = await setup();
    const file = path.join(vigil.vigil.config.rules.dir, '50-rules.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('runbooks: [scale]', 'runbooks: [scale, restart]'));
    const { status, body } = await reload(vigil);
    expect(status).toBe(500);
    expect(body.error.message).toContain('50-rules.yaml:4:49: rules.0.set.runbooks.1: unknown runbook "restart" (known: scale)');
    expect(await (await vigil.get('/metrics')).text()).toContain('vigil_config_last_reload_successful 0');
    await fire(vigil);
    expect(await kinds(vigil, 'page_held')).toEqual(['page held for 5m while scale tries a fix']);
  });

  it('a runbooks reload that removes a runbook a rule names fails and keeps the previous runbooks', async () => {
    const { vigil } = await setup();
    const file = path.join(vigil.vigil.config.runbooks.dir, 'scale.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('name: scale\n', 'name: scale-out\n'));
    const { status, body } = await reload(vigil);
    expect(status).toBe(500);
    expect(body.error.message).toContain('50-rules.yaml:4:42: rules.0.set.runbooks.0: unknown runbook "scale" (known: scale-out)');
    expect(await loaded(vigil)).toEqual(['scale']);
    expect(await (await vigil.get('/metrics')).text()).toContain('vigil_runbooks_last_reload_successful 0');
  });

  it('renaming a runbook and the rule naming it in one change applies both', async () => {
    const { vigil } = await setup();
    const book = path.join(vigil.vigil.config.runbooks.dir, 'scale.yaml');
    const rules = path.join(vigil.vigil.config.rules.dir, '50-rules.yaml');
    writeFileSync(book, readFileSync(book, 'utf8').replace('name: scale\n', 'name: scale-out\n'));
    writeFileSync(rules, readFileSync(rules, 'utf8').replace('runbooks: [scale]', 'runbooks: [scale-out]'));
    expect((await reload(vigil)).status).toBe(200);
    expect(await loaded(vigil)).toEqual(['scale-out']);
    await fire(vigil);
    expect(await kinds(vigil, 'page_held')).toEqual(['page held for 5m while scale-out tries a fix']);
  });
});
