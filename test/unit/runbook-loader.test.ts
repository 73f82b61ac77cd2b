import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observe/logger.js';
import { ConfigError } from '../../src/files/yaml-file.js';
import { runbooksConfigSchema } from '../../src/runbooks/config.js';
import { LiveRunbooks } from '../../src/runbooks/live-runbooks.js';
import { loadRunbookSet, parseRunbookFile } from '../../src/runbooks/loader.js';

const root = path.join(import.meta.dirname, '..', '..');
const fixtures = path.join(root, 'test', 'fixtures', 'runbooks');

/** The problems a file produces, or [] when it loads. */
function problems(yaml: string, options: { allowHosts?: string[]; allowCommands?: string[]; env?: Record<string, string> } = {}): string[] {
  try {
    parseRunbookFile(yaml, 'runbooks/broken.yaml', { env: {}, ...options });
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

describe('loading runbooks', () => {
  it('loads the shipped runbooks', () => {
    const set = loadRunbookSet(path.join(root, 'runbooks'), { env: {} });
    expect([...set.runbooks.keys()]).toEqual(['disk-cleanup', 'restart-service', 'scale-up']);
    const restart = set.runbooks.get('restart-service')!;
    expect(restart.rateLimit).toMatchObject({ max: 3, per: 3_600_000 });
    expect(restart.steps.map((s) => `${s.name}:${s.type}:${s.onFailure}`)).toEqual(['restart:http:escalate', 'verify:check:escalate', 'report:notify:stop']);
    expect(set.runbooks.get('disk-cleanup')!.allowCommands).toEqual(['/usr/bin/find']);
  });

  it('loads *.yaml and *.yml in name order, one runbook per file, and notes secrets read from the environment', () => {
    const set = loadRunbookSet(path.join(fixtures, 'valid'), { env: { FIXTURE_TOKEN: 'from-the-env' } });
    expect(set.files.map((f) => path.basename(f))).toEqual(['a.yaml', 'b.yml']);
    const a = set.runbooks.get('a')!;
    expect(a.env).toEqual({ TOKEN: 'from-the-env' });
    expect(a.secrets).toContain('from-the-env');
    expect(a.file).toMatch(/valid\/a\.yaml$/);
    expect(set.runbooks.get('b')!.steps[0]).toMatchObject({ type: 'wait', duration: 5000, timeout: 0, onFailure: 'stop', when: null });
  });

  it('rejects a duplicate name naming both files', () => {
    expect(() => loadRunbookSet(path.join(fixtures, 'duplicate'), { env: {} })).toThrow(
      /20-restart-again\.yaml:2:1: name: runbook "restart-service" is already defined in .*10-restart\.yaml/,
    );
  });

  it('a missing directory is an error', () => {
    expect(() => loadRunbookSet(path.join(fixtures, 'nope'))).toThrow(ConfigError);
  });

  it('applies defaults', () => {
    const rb = parseRunbookFile('name: x\nallow_hosts: [h]\nsteps: [{ name: a, type: http, url: "http://h/" }, { name: b, type: check, query: up }]', 'x.yaml', { env: {} });
    expect(rb).toMatchObject({ dryRun: false, concurrency: 1, rateLimit: null, allowCommands: [], env: {} });
    expect(rb.steps[0]).toMatchObject({ method: 'GET', timeout: 30_000, onFailure: 'stop', expectStatus: [], expectClasses: [2], body: null });
    expect(rb.steps[1]).toMatchObject({ retries: 0, interval: 10_000, timeout: 10_000, condition: { kind: 'result_nonempty' } });
  });
});

describe('a broken runbook file fails to load naming file and line', () => {
  it.each([
    ['bad YAML', 'name: x\nsteps:\n  - name: a\n   type: wait', /^runbooks\/broken\.yaml:4:\d+: /],
    ['unknown step type', 'name: x\nsteps:\n  - name: a\n    type: reboot', /^runbooks\/broken\.yaml:4:11: steps\.0\.type: unknown step type "reboot" \(expected http, command, check, wait, notify, approve\)$/],
    ['unknown field', 'name: x\nsteps:\n  - name: a\n    type: wait\n    duration: 1s\n    shell: true', /^runbooks\/broken\.yaml:6:5: steps\.0\.shell: unknown field$/],
    ['invalid duration', 'name: x\nsteps:\n  - { name: a, type: wait, duration: 5 minutes }', /^runbooks\/broken\.yaml:3:\d+: steps\.0\.duration: invalid duration "5 minutes"/],
    ['no steps', 'name: x\nsteps: []', /steps: /],
    [
      'host not allow-listed',
      'name: x\nallow_hosts: [orchestrator:8081]\nsteps:\n  - name: a\n    type: http\n    url: http://evil.example:8081/x',
      /^runbooks\/broken\.yaml:6:10: steps\.0\.url: host evil\.example:8081 is not on the allow-list/,
    ],
    [
      'allow-listed host but another port',
      'name: x\nallow_hosts: [orchestrator:8081]\nsteps:\n  - { name: a, type: http, url: "http://orchestrator:9999/x" }',
      /host orchestrator:9999 is not on the allow-list/,
    ],
    [
      'template in the host',
      'name: x\nallow_hosts: [orchestrator]\nsteps:\n  - name: a\n    type: http\n    url: http://{{ labels.host }}/x',
      /^runbooks\/broken\.yaml:6:10: steps\.0\.url: url must start with http:\/\/ or https:\/\/ and a host written out/,
    ],
    [
      'template right after the host (could add a port or userinfo)',
      'name: x\nallow_hosts: [orchestrator]\nsteps:\n  - { name: a, type: http, url: "http://orchestrator{{ labels.x }}/" }',
      /templates may only appear in the path and query/,
    ],
    ['template in the scheme', 'name: x\nsteps:\n  - { name: a, type: http, url: "{{ labels.scheme }}://orchestrator/" }', /url must start with http/],
    ['credentials in the url', 'name: x\nallow_hosts: [h]\nsteps:\n  - { name: a, type: http, url: "http://u:p@h/" }', /credentials in the url are not allowed/],
    ['template in a header name', 'name: x\nallow_hosts: [h]\nsteps:\n  - { name: a, type: http, url: "http://h/", headers: { "X-{{ labels.a }}": v } }', /invalid header name/],
    ['Host header', 'name: x\nallow_hosts: [h]\nsteps:\n  - { name: a, type: http, url: "http://h/", headers: { Host: evil } }', /header Host cannot be set by a runbook/],
    ['template in a string body', 'name: x\nallow_hosts: [h]\nsteps:\n  - { name: a, type: http, method: POST, url: "http://h/", body: "{\\"a\\": \\"{{ labels.a }}\\"}" }', /a string body is sent as written and cannot hold templates/],
    ['unknown template reference', 'name: x\nsteps:\n  - { name: a, type: notify, message: "{{ alert.labels.x }}" }', /^runbooks\/broken\.yaml:3:\d+: steps\.0\.message: unknown template reference "\{\{ alert\.labels\.x \}\}"/],
    ['undeclared env reference', 'name: x\nsteps:\n  - { name: a, type: notify, message: "{{ env.TOKEN }}" }', /TOKEN is not declared under env:/],
    ['reference to a later step', 'name: x\nsteps:\n  - { name: a, type: notify, message: "{{ steps.b.status }}" }\n  - { name: b, type: wait, duration: 1s }', /no earlier step is named "b"/],
    ['when referencing a later step', 'name: x\nsteps:\n  - { name: a, type: wait, duration: 1s, when: steps.b.ok }\n  - { name: b, type: wait, duration: 1s }', /^runbooks\/broken\.yaml:3:\d+: steps\.0\.when: steps\.b: no earlier step/],
    ['when with code in it', 'name: x\nsteps:\n  - { name: a, type: wait, duration: 1s }\n  - { name: b, type: wait, duration: 1s, when: "process.exit(1)" }', /steps\.1\.when: unexpected "\.exit\(1\)" in condition/],
    ['duplicate step names', 'name: x\nsteps:\n  - { name: a, type: wait, duration: 1s }\n  - { name: a, type: wait, duration: 2s }', /^runbooks\/broken\.yaml:4:\d+: steps\.1\.name: step name "a" is used twice/],
    ['relative command', 'name: x\nsteps:\n  - { name: a, type: command, command: systemctl }', /"systemctl" must be an absolute path/],
    ['command not allow-listed', 'name: x\nallow_commands: [/usr/bin/find]\nsteps:\n  - { name: a, type: command, command: /bin/rm }', /^runbooks\/broken\.yaml:4:\d+: steps\.0\.command: \/bin\/rm is not on the allow-list/],
    ['command with ..', 'name: x\nallow_commands: [/usr/bin/../bin/rm]\nsteps:\n  - { name: a, type: wait, duration: 1s }', /allow_commands\.0: .* must be a normalised path/],
    ['a number where an argument string belongs', 'name: x\nallow_commands: [/usr/bin/find]\nsteps:\n  - { name: a, type: command, command: /usr/bin/find, args: [-mtime, +7] }', /steps\.0\.args\.1: expected a string \(quote numbers: '\+7'\)/],
    ['PromQL template outside a string', 'name: x\nsteps:\n  - { name: a, type: check, query: "up{job={{ labels.job }}}" }', /must be inside a quoted string/],
    ['PromQL template in a raw string', 'name: x\nsteps:\n  - { name: a, type: check, query: "up{job=`{{ labels.job }}`}" }', /cannot be inside a `raw string`/],
    ['invalid check condition', 'name: x\nsteps:\n  - { name: a, type: check, query: up, condition: "is up" }', /invalid condition "is up"/],
    ['invalid allow-list host', 'name: x\nallow_hosts: ["http://h/"]\nsteps:\n  - { name: a, type: wait, duration: 1s }', /allow_hosts\.0: invalid allow-list host/],
    ['missing environment variable', 'name: x\nenv: { T: "${NOT_SET_ANYWHERE}" }\nsteps:\n  - { name: a, type: wait, duration: 1s }', /^runbooks\/broken\.yaml:2:\d+: environment variable NOT_SET_ANYWHERE is not set/],
    ['bad runbook name', 'name: Restart Service\nsteps:\n  - { name: a, type: wait, duration: 1s }', /^runbooks\/broken\.yaml:1:7: name: lower-case letters/],
  ])('%s', (_what, yaml, expected) => {
    const found = problems(yaml);
    expect(found.length, 'should fail to load').toBeGreaterThan(0);
    expect(found.some((p) => expected.test(p)), found.join('\n')).toBe(true);
  });

  it('the global allow-lists count too', () => {
    const yaml = 'name: x\nsteps:\n  - { name: a, type: http, url: "https://api.example.com/x" }\n  - { name: b, type: command, command: /usr/bin/systemctl }';
    expect(problems(yaml)).toHaveLength(2);
    expect(problems(yaml, { allowHosts: ['*.example.com'], allowCommands: ['/usr/bin/systemctl'] })).toEqual([]);
    expect(problems(yaml, { allowHosts: ['example.com:443'], allowCommands: ['/usr/bin/systemctl'] })).toHaveLength(1);
  });

  it('reports every problem of every file at once', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-runbooks-'));
    try {
      writeFileSync(path.join(dir, 'a.yaml'), 'name: a\nsteps: [{ name: s, type: nope }]');
      writeFileSync(path.join(dir, 'b.yaml'), 'name: b\nsteps: [{ name: s, type: wait, duration: x }]');
      let err: unknown;
      try {
        loadRunbookSet(dir, { env: {} });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems.map((p) => path.basename(p.split(':')[0]!))).toEqual(['a.yaml', 'b.yaml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LiveRunbooks', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a failed reload keeps the previous runbooks and reports the problem', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-runbooks-'));
    writeFileSync(path.join(dir, 'a.yaml'), 'name: a\nsteps: [{ name: s, type: wait, duration: 1s }]');
    const results: boolean[] = [];
    const live = new LiveRunbooks(dir, createLogger('silent'), { env: {} }, (ok) => results.push(ok));
    expect([...live.current.runbooks.keys()]).toEqual(['a']);

    writeFileSync(path.join(dir, 'b.yaml'), 'name: b\nsteps: [{ name: s, type: reboot }]');
    expect(() => live.reload('test')).toThrow(/b\.yaml:2:\d+: steps\.0\.type: unknown step type "reboot"/);
    expect([...live.current.runbooks.keys()]).toEqual(['a']);

    writeFileSync(path.join(dir, 'b.yaml'), 'name: b\nsteps: [{ name: s, type: wait, duration: 2s }]');
    live.reload('test');
    expect([...live.current.runbooks.keys()]).toEqual(['a', 'b']);
    expect(results).toEqual([true, false, true]);
    live.close();
  });

  it('new global allow-lists apply from the reload that brings them', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-runbooks-'));
    writeFileSync(path.join(dir, 'a.yaml'), 'name: a\nsteps: [{ name: s, type: http, url: "http://orchestrator/x" }]');
    const live = new LiveRunbooks(dir, createLogger('silent'), { env: {}, allowHosts: ['orchestrator'] });
    expect(() => live.reload('config', { env: {}, allowHosts: [] })).toThrow(/not on the allow-list/);
    expect(live.current.runbooks.has('a')).toBe(true);
  });

  it('reloads after a file changes when watching', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vigil-runbooks-'));
    writeFileSync(path.join(dir, 'a.yaml'), 'name: a\nsteps: [{ name: s, type: wait, duration: 1s }]');
    const live = new LiveRunbooks(dir, createLogger('silent'), { env: {} });
    live.watch();
    try {
      writeFileSync(path.join(dir, 'b.yaml'), 'name: b\nsteps: [{ name: s, type: wait, duration: 1s }]');
      const deadline = Date.now() + 5000;
      while (!live.current.runbooks.has('b') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(live.current.runbooks.has('b')).toBe(true);
    } finally {
      live.close();
    }
  });
});

describe('global runbooks config', () => {
  it('has defaults for every field', () => {
    expect(runbooksConfigSchema.parse({})).toEqual({
      dir: 'runbooks',
      enabled: true,
      dryRun: false,
      watch: true,
      allowHosts: [],
      allowCommands: [],
      maxConcurrentRuns: 4,
      outputLimit: 4096,
    });
  });

  it('checks allow-list entries, the Prometheus URL and unknown fields', () => {
    const r = runbooksConfigSchema.safeParse({ allowHosts: ['ok:80', 'bad/host'], allowCommands: ['rm'], prometheusUrl: 'prometheus:9090', dryrun: true });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['allowHosts.1', 'allowCommands.0', 'prometheusUrl']));
    expect(r.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });
});

describe('a shell that would run alert data as a script', () => {
  const shellStep = (command: string, args: string[]) =>
    `name: x\nallow_commands: [${command}]\nsteps:\n  - name: fix\n    type: command\n    command: ${command}\n    args: ${JSON.stringify(args)}\n`;

  it('refuses a template in the argument after -c, naming file, line, column and the step', () => {
    const yaml = shellStep('/bin/sh', ['-c', 'systemctl restart {{ labels.job }}']);
    expect(problems(yaml)).toEqual([
      `runbooks/broken.yaml:7:17: steps.0.args.1: step "fix": /bin/sh runs this argument as a shell script, so a template in it would run alert data as commands; keep the script fixed and pass values after it as "$1", "$2" (args: [-c, 'df -h "$1"', sh, '{{ labels.mount }}']) or through env`,
    ]);
  });

  it.each([
    ['bash anywhere', '/usr/local/bin/bash', ['-c', 'echo {{ labels.x }}']],
    ['options before -c', '/bin/bash', ['--norc', '-e', '-o', 'pipefail', '-c', 'df {{ labels.mount }}']],
    ['-c in a cluster', '/usr/bin/dash', ['-ec', 'rm -rf /tmp/{{ labels.dir }}']],
    ['-c, then options, then the script', '/bin/zsh', ['-c', '-o', 'errexit', 'kill {{ annotations.pid }}']],
    ['a step result as the script', '/bin/sh', ['-c', '{{ steps.before.output }}']],
    ['busybox running a shell', '/bin/busybox', ['sh', '-c', 'reboot {{ labels.host }}']],
    ['bash after an option that takes a file', '/bin/bash', ['--rcfile', '/dev/null', '-c', 'systemctl restart {{ labels.svc }}']],
    ['a shell behind env', '/usr/bin/env', ['A=1', 'sh', '-c', 'echo {{ labels.x }}']],
    ['a shell behind sudo', '/usr/bin/sudo', ['-u', 'app', '/bin/bash', '-c', 'kill {{ labels.pid }}']],
    ['a shell behind timeout', '/usr/bin/timeout', ['5', 'sh', '-ec', 'df {{ labels.mount }}']],
    ["su's command", '/bin/su', ['-', 'app', '-c', 'restart {{ labels.svc }}']],
    ["runuser's --command=", '/sbin/runuser', ['-u', 'app', '--command=restart {{ labels.svc }}']],
    ["ssh's remote command", '/usr/bin/ssh', ['web-1', 'systemctl restart {{ labels.svc }}']],
    ["ssh's remote command after options with values", '/usr/bin/ssh', ['-p', '22', '-i', '/etc/vigil/key', '-tt', 'web-1', 'systemctl', 'restart', '{{ labels.svc }}']],
    ['ssh behind sudo', '/usr/bin/sudo', ['ssh', '-oBatchMode=yes', 'web-1', 'rm /tmp/{{ labels.f }}']],
  ])('refuses %s', (_what, command, args) => {
    const yaml = shellStep(command, args).replace('steps:\n', 'steps:\n  - { name: before, type: wait, duration: 1s }\n');
    expect(problems(yaml)).toEqual([expect.stringMatching(/steps\.1\.args\.\d+: step "fix": .* runs this argument as a shell script/)]);
  });

  it.each([
    ['values after a fixed script are $1, $2: data', '/bin/sh', ['-c', 'df -h "$1"', 'sh', '{{ labels.mount }}']],
    ['a script file with templated arguments', '/bin/bash', ['/opt/fix.sh', '{{ labels.x }}']],
    ['a fixed -c script', '/bin/sh', ['-c', 'systemctl restart nginx']],
    ['busybox running another applet', '/bin/busybox', ['find', '-c', '{{ labels.x }}']],
    ['a program that is not a shell', '/usr/bin/find', ['-c', '{{ labels.x }}']],
    ['ssh to a templated host with a fixed command', '/usr/bin/ssh', ['-p', '22', '{{ labels.host }}', 'systemctl', 'restart', 'nginx']],
    ['a templated variable for a script behind env', '/usr/bin/env', ['TARGET={{ labels.x }}', '/opt/fix.sh']],
    ['a script behind sudo with templated arguments', '/usr/bin/sudo', ['/opt/fix.sh', '{{ labels.x }}']],
    ["su's fixed command", '/bin/su', ['app', '-c', '/opt/fix.sh']],
  ])('allows %s', (_what, command, args) => {
    expect(problems(shellStep(command, args))).toEqual([]);
  });
});
