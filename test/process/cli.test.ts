import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, freePort, repoRoot, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { amWebhook, startVigil, tempDir } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const dirs: string[] = [];
const running: RunningVigil[] = [];
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function vigil(args: string[], env: Record<string, string> = {}, cwd = repoRoot) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('vigil CLI', () => {
  it('heartbeats lists each monitor with its state, last ping and next due, as a table or as the API\'s JSON', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const dbPath = path.join(dir, 'v.db');
    const started = Date.now();
    const t = await startVigil({ dbPath, now: started });
    await t.post('/api/v1/heartbeats', { name: 'etl', every: '1h', grace: '5m' });
    await t.post('/api/v1/heartbeats/etl/ping', '');
    await t.post('/api/v1/heartbeats', { name: 'report', cron: '0 6 * * *', timeZone: 'Europe/Berlin' });
    await t.post('/api/v1/heartbeats/report/pause', {});
    await t.close();
    const { code, stdout } = await vigil(['heartbeats'], { VIGIL_DB: dbPath });
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+LAST PING\s+NEXT DUE\s+SCHEDULE\s+GRACE$/);
    expect(lines.find((l) => l.startsWith('etl '))).toMatch(/^etl\s+up\s+\d{4}-\d\d-\d\d \d\d:\d\dZ \(\d+ s ago\)\s+\d{4}-\d\d-\d\d \d\d:\d\dZ \(in (?:60|59) min\)\s+every 1h\s+5m$/);
    expect(lines.find((l) => l.startsWith('report '))).toMatch(/^report\s+paused\s+-\s+-\s+cron 0 6 \* \* \* \(Europe\/Berlin\)\s+5m$/);
    expect(lines.find((l) => l.startsWith('watchdog '))).toMatch(/^watchdog\s+new\s+-\s+-\s+every 1m\s+5m$/);
    const json = await vigil(['heartbeats', '--json'], { VIGIL_DB: dbPath });
    expect(JSON.parse(json.stdout).heartbeats.map((h: { name: string; state: string }) => `${h.name} ${h.state}`)).toEqual(['etl up', 'report paused', 'watchdog new']);
    const missing = await vigil(['heartbeats'], { VIGIL_DB: path.join(dir, 'none.db') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^no Vigil database at /);
  });

  it('--help lists the commands', async () => {
    const { code, stdout } = await vigil(['--help']);
    expect(code).toBe(0);
    for (const cmd of ['serve', 'check-config', 'send-test-alert', 'oncall', 'db']) expect(stdout).toContain(cmd);
  });

  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V']) {
      const { code, stdout } = await vigil([flag]);
      expect(code).toBe(0);
      expect(stdout).toBe(`${version}\n`);
    }
  });

  it('check-config accepts the shipped vigil.yaml', async () => {
    const { code, stdout } = await vigil(['check-config']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/configuration OK: .*vigil\.yaml/);
  });

  it("check-config outside the repo, with no rules/ or runbooks/ there, uses the package's own and says so", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { code, stdout, stderr } = await vigil(['check-config'], {}, dir);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('configuration OK: built-in defaults (no vigil.yaml)');
    expect(stdout).toContain(`in ${path.join(repoRoot, 'rules')} (shipped with Vigil: no rules.dir configured and no ./rules here)`);
    expect(stdout).toContain(`runbooks in ${path.join(repoRoot, 'runbooks')} (shipped with Vigil: no runbooks.dir configured and no ./runbooks here)`);
  });

  it('check-config names the file, line and field of a mistake, and exits 2', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'server:\n  port: 9095\nincidents:\n  flapWindow: 10 minutes\n');
    const { code, stderr } = await vigil(['check-config'], { VIGIL_CONFIG: file });
    expect(code).toBe(2);
    expect(stderr).toContain('broken.yaml:4:15: incidents.flapWindow: invalid duration "10 minutes"');
  });

  it('serve refuses to start on an invalid config', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'store:\n  synchronous: sometimes\n');
    const { code, stderr } = await vigil(['serve'], { VIGIL_CONFIG: file, VIGIL_PORT: String(await freePort()) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.yaml:2:16: store\.synchronous/);
  });

  it('send-test-alert opens one incident per severity on a running Vigil, each with its policy, and --resolve resolves them', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const server = await spawnVigil({ VIGIL_DB: path.join(dir, 'v.db'), VIGIL_INGEST_TOKEN: 'tok' }, await freePort());
    running.push(server);
    const list = async () => (await (await fetch(`${server.url}/api/v1/incidents`)).json()).incidents as any[];
    for (const severity of ['critical', 'warning', 'reminder', 'info']) {
      const sent = await vigil(['send-test-alert', '--severity', severity, '--url', server.url], { VIGIL_INGEST_TOKEN: 'tok' });
      expect(sent.code).toBe(0);
      expect(sent.stdout).toMatch(/202/);
    }
    expect((await list()).map((i) => [i.severity, i.priority, i.status, i.service])).toEqual([
      ['info', 'P4', 'triggered', 'vigil-test'],
      ['reminder', 'P3', 'triggered', 'vigil-test'],
      ['warning', 'P2', 'triggered', 'vigil-test'],
      ['critical', 'P1', 'triggered', 'vigil-test'],
    ]);
    const warning = (await list()).find((i) => i.severity === 'warning');
    const classified = (await (await fetch(`${server.url}/api/v1/incidents/${warning.id}`)).json()).timeline.find((e: any) => e.kind === 'classified');
    expect(classified.message).toMatch(/^severity warning .*notify: team by email; on-duty by chat/);

    expect((await vigil(['send-test-alert', '--resolve', '--severity', 'warning', '--url', server.url], { VIGIL_INGEST_TOKEN: 'tok' })).code).toBe(0);
    expect((await list()).map((i) => i.status)).toEqual(['triggered', 'triggered', 'resolved', 'triggered']);
    const resolved = await vigil(['send-test-alert', '--resolve', '--url', server.url], { VIGIL_INGEST_TOKEN: 'tok' });
    expect(resolved.code).toBe(0);
    expect((await list()).map((i) => i.status)).toEqual(['resolved', 'resolved', 'resolved', 'resolved']);

    const refused = await vigil(['send-test-alert', '--url', server.url, '--token', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401/);
    expect((await vigil(['send-test-alert', '--severity', 'loud', '--url', server.url])).code).toBe(2);
  });

  it('serve prints where to send alerts and a curl that works', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const server = await spawnVigil({ VIGIL_DB: path.join(dir, 'v.db') }, await freePort());
    running.push(server);
    const out = server.output();
    expect(out).toContain(`${server.url.replace('127.0.0.1', 'localhost')}/api/v1/alerts/alertmanager`);
    // The console's address, and that it is open without VIGIL_API_TOKEN; the page answers there.
    const consoleLine = out.split('\n').find((l) => l.trim().startsWith('Console:'))!;
    expect(consoleLine).toMatch(/Console: +http:\/\/localhost:\d+\/ +\(open: no VIGIL_API_TOKEN/);
    expect(await (await fetch(`${server.url}/`)).text()).toContain('<div id="app">');
    const curl = out.split('\n').find((l) => l.trim().startsWith('curl '))!;
    expect(curl).toBeTruthy();
    const { stdout } = await run('bash', ['-c', curl.trim()]);
    expect(JSON.parse(stdout)).toEqual({ accepted: 1 });
  });

  it("the banner's curl works when VIGIL_INGEST_TOKEN holds several tokens, and prints none of them", async () => {
    const dir = tempDir();
    dirs.push(dir);
    const tokens = 'new-token-1,old-token-2';
    const server = await spawnVigil({ VIGIL_DB: path.join(dir, 'v.db'), VIGIL_INGEST_TOKEN: tokens }, await freePort());
    running.push(server);
    expect(server.output()).not.toMatch(/new-token-1|old-token-2/);
    const curl = server.output().split('\n').find((l) => l.trim().startsWith('curl '))!;
    for (const shell of ['bash', 'sh']) {
      const { stdout } = await run(shell, ['-c', curl.trim()], { env: { ...process.env, VIGIL_INGEST_TOKEN: tokens } });
      expect(JSON.parse(stdout), shell).toEqual({ accepted: 1 });
    }
  });
});

describe('rules from the command line', () => {
  function brokenRules() {
    const dir = tempDir();
    dirs.push(dir);
    const rules = path.join(dir, 'rules');
    mkdirSync(rules);
    copyFileSync(path.join(repoRoot, 'rules', '00-policies.yaml'), path.join(rules, '00-policies.yaml'));
    // The teams the rules name, holding the roles the shipped policies page.
    writeFileSync(path.join(rules, '05-teams.yaml'), 'teams:\n  - { name: payments, roles: { owner: [], management: [] } }\n  - { name: billing }\n');
    writeFileSync(path.join(rules, '10-team.yaml'), 'rules:\n  - name: team\n    match: \'service="pay"\'\n    set: { team: payments }\n');
    const config = path.join(dir, 'vigil.yaml');
    writeFileSync(config, 'rules:\n  dir: rules\n');
    return { dir, rules, config };
  }

  it('rules test explains the decision for label=value pairs and for a JSON file', async () => {
    const pairs = await vigil(['rules', 'test', 'alertname=InstanceDown', 'instance=db-1:9100', 'job=node']);
    expect(pairs.code).toBe(0);
    expect(pairs.stdout).toMatch(/rules:\s+instance-down/);
    expect(pairs.stdout).toMatch(/severity:\s+critical \(rule instance-down\)/);
    expect(pairs.stdout).toMatch(/title:\s+db-1:9100 is down \(node\)/);
    expect(pairs.stdout).toMatch(/channels:\s+oncall: voice, chat; on-duty: sms; management: email/);
    const dir = tempDir();
    dirs.push(dir);
    const file = path.join(dir, 'alert.json');
    writeFileSync(file, JSON.stringify({ version: '4', alerts: [{ labels: { alertname: 'Watchdog', severity: 'critical' } }] }));
    const json = await vigil(['rules', 'test', file]);
    expect(json.stdout).toMatch(/severity:\s+info \(rule watchdog\)/);
    expect(json.stdout).toMatch(/heartbeat:\s+a ping of watchdog when firing; never an incident/);
    expect(json.stdout).toMatch(/nobody is paged/);
  });

  it('rules test evaluates and prints every alert of a webhook body or an API v2 list', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const webhook = path.join(dir, 'webhook.json');
    writeFileSync(
      webhook,
      JSON.stringify(
        amWebhook([
          { labels: { alertname: 'InstanceDown', instance: 'db-1:9100', job: 'node' } },
          { labels: { alertname: 'Watchdog', severity: 'critical' } },
          { labels: { alertname: 'DiskFull', team: 'storage', severity: 'warning' } },
        ]),
      ),
    );
    const { code, stdout } = await vigil(['rules', 'test', webhook]);
    expect(code).toBe(0);
    const blocks = stdout.trim().split(/\n\n(?=alert \d)/);
    expect(blocks).toHaveLength(3);
    expect(blocks[0]).toMatch(/^alert 1 of 3: InstanceDown/);
    expect(blocks[0]).toMatch(/severity:\s+critical \(rule instance-down\)/);
    expect(blocks[1]).toMatch(/^alert 2 of 3: Watchdog/);
    expect(blocks[1]).toMatch(/severity:\s+info \(rule watchdog\)/);
    expect(blocks[2]).toMatch(/^alert 3 of 3: DiskFull/);
    expect(blocks[2]).toMatch(/team:\s+platform \(default team; "storage" is not a team\)/);
    const list = path.join(dir, 'api-v2.json');
    writeFileSync(list, JSON.stringify([{ labels: { alertname: 'A', severity: 'reminder' } }, { labels: { alertname: 'B', severity: 'info' } }]));
    const v2 = await vigil(['rules', 'test', list]);
    expect(v2.stdout).toMatch(/^alert 1 of 2: A[^]*priority:\s+P3[^]*\n\nalert 2 of 2: B[^]*priority:\s+P4/);
  });

  it('check-config names the rule file, line and field of a mistake', async () => {
    const { rules, config } = brokenRules();
    writeFileSync(path.join(rules, '10-team.yaml'), 'rules:\n  - name: team\n    match: \'service~"pay"\'\n');
    const { code, stderr } = await vigil(['check-config'], { VIGIL_CONFIG: config });
    expect(code).toBe(2);
    expect(stderr).toMatch(/10-team\.yaml:3:\d+: rules\.0\.match: invalid matcher/);
  });

  it('check-config names a rule whose runbook does not exist, and a broken runbook file', async () => {
    const { dir, rules, config } = brokenRules();
    writeFileSync(path.join(rules, '10-team.yaml'), "rules:\n  - name: team\n    match: 'service=\"pay\"'\n    set: { runbooks: [reboot-the-world] }\n");
    mkdirSync(path.join(dir, 'books'));
    writeFileSync(config, 'rules:\n  dir: rules\nrunbooks:\n  dir: books\n');
    const missing = await vigil(['check-config'], { VIGIL_CONFIG: config });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/10-team\.yaml:4:23: rules\.0\.set\.runbooks\.0: unknown runbook "reboot-the-world" \(none defined\)\n/);
    writeFileSync(path.join(dir, 'books', 'reboot.yaml'), 'name: reboot-the-world\nsteps:\n  - name: x\n    type: teleport\n');
    const broken = await vigil(['check-config'], { VIGIL_CONFIG: config });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/reboot\.yaml:4:\d+: steps\.0/);
  });

  it('check-config rejects a typo in a policy role with its file, line and column', async () => {
    const dir = tempDir();
    dirs.push(dir);
    cpSync(path.join(repoRoot, 'rules'), path.join(dir, 'rules'), { recursive: true });
    cpSync(path.join(repoRoot, 'runbooks'), path.join(dir, 'runbooks'), { recursive: true });
    const policies = path.join(dir, 'rules', '00-policies.yaml');
    writeFileSync(policies, readFileSync(policies, 'utf8').replace('- role: oncall ', '- role: oncal  '));
    const { code, stdout, stderr } = await vigil(['check-config'], {}, dir);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'invalid configuration:\n  rules/00-policies.yaml:9:15: policies.critical.notify.0.role: unknown role "oncal" (known: oncall, on-duty, team, owner, management)\n',
    );
  });

  it('serve refuses to start when a rule names a runbook that is not there', async () => {
    const { rules, config } = brokenRules();
    writeFileSync(path.join(rules, '10-team.yaml'), "rules:\n  - name: team\n    set: { runbooks: [restart-servce] }\n");
    const { code, stderr } = await vigil(['serve'], { VIGIL_CONFIG: config, VIGIL_PORT: String(await freePort()) });
    expect(code).toBe(2);
    expect(stderr).toMatch(/10-team\.yaml:3:23: rules\.0\.set\.runbooks\.0: unknown runbook "restart-servce" \(known: disk-cleanup, restart-service, scale-up\)/);
  });

  it('serve reloads on SIGHUP and on file change; a broken file keeps the old rules and sets the metric to 0', async () => {
    const { dir, rules, config } = brokenRules();
    const server = await spawnVigil({ VIGIL_CONFIG: config, VIGIL_DB: path.join(dir, 'v.db') }, await freePort());
    running.push(server);
    const metric = async () => /vigil_config_last_reload_successful (\d)/.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1];
    expect(await metric()).toBe('1');
    writeFileSync(path.join(rules, '10-team.yaml'), 'rules:\n  - name: team\n    sett: {}\n');
    server.child.kill('SIGHUP');
    await waitFor(async () => (await metric()) === '0', 10_000, 'reload failure after SIGHUP');
    // The log line is written asynchronously and may reach the pipe after the metric has changed.
    await waitFor(async () => /10-team\.yaml:3:5: rules\.0\.sett: unknown field/.test(server.output()), 10_000, 'the reload error in the log');
    const post = (labels: Record<string, string>) =>
      fetch(`${server.url}/api/v1/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(amWebhook([{ labels }])) });
    await post({ alertname: 'Refunds', service: 'pay' });
    expect((await (await fetch(`${server.url}/api/v1/incidents/1`)).json()).team).toBe('payments');
    // Fixing the file is enough: the directory is watched.
    writeFileSync(path.join(rules, '10-team.yaml'), 'rules:\n  - name: team\n    match: \'service="pay"\'\n    set: { team: billing }\n');
    await waitFor(async () => (await metric()) === '1', 10_000, 'reload after the file was fixed');
    await post({ alertname: 'Chargebacks', service: 'pay' });
    expect((await (await fetch(`${server.url}/api/v1/incidents/2`)).json()).team).toBe('billing');
  });
});
