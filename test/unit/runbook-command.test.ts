import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRunbook } from '../../src/runbooks/executor.js';
import { alertWith, runbookFrom } from '../fixtures/runbooks/support.js';

// The target program is node itself: it prints its argv (and some env) as JSON, so the test sees exactly
// which arguments arrived.
const node = process.execPath;
const printArgv = 'process.stdout.write(JSON.stringify({argv: process.argv.slice(1), path: process.env.PATH, secret: process.env.VIGIL_API_TOKEN ?? null, token: process.env.TOKEN ?? null}))';

function commandRunbook(args: unknown[], extra = '', stepExtra = '') {
  return runbookFrom(
    `
name: cmd
allow_commands: ['${node}']
${extra}
steps:
  - name: run
    type: command
    command: ${node}
    args: ${JSON.stringify(args)}
    timeout: 5s
${stepExtra}`,
    { TOKEN_FROM_ENV: 'cmd-secret-value' },
  );
}

/** Alive and not a zombie waiting for a parent that is gone. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const argvOf = (output: string) => JSON.parse(output.split('stdout:\n')[1]!.split('\n')[0]!);

describe('command step', () => {
  it('runs the executable with its arguments and succeeds on exit 0', async () => {
    const result = await runRunbook(commandRunbook(['-e', printArgv, 'a b', '{{ labels.service }}']), alertWith({ service: 'checkout' }));
    expect(result.outcome).toBe('succeeded');
    expect(result.steps[0]).toMatchObject({ status: 'succeeded', ok: true, code: 0 });
    expect(argvOf(result.steps[0]!.output).argv).toEqual(['a b', 'checkout']);
    expect(result.steps[0]!.output).toContain('exit 0');
  });

  it("does not pass Vigil's environment on; step env values reach the program", async () => {
    process.env.VIGIL_API_TOKEN = 'should-not-leak';
    try {
      const rb = commandRunbook(['-e', printArgv], `env: { T: '\${TOKEN_FROM_ENV}' }`, `    env: { TOKEN: '{{ env.T }}' }`);
      const result = await runRunbook(rb, alertWith({}));
      // The program got the secret, but the record shows it masked.
      const seen = argvOf(result.steps[0]!.output);
      expect(seen.secret).toBeNull();
      expect(seen.path).toContain('/usr/bin');
      expect(seen.token).toBe('***');
      expect(JSON.stringify(result)).not.toContain('cmd-secret-value');
    } finally {
      delete process.env.VIGIL_API_TOKEN;
    }
  });

  it('fails on a non-zero exit with stdout and stderr recorded', async () => {
    const rb = commandRunbook(['-e', 'console.log("some out"); console.error("some err"); process.exit(3)']);
    const result = await runRunbook(rb, alertWith({}));
    expect(result.outcome).toBe('failed');
    expect(result.steps[0]).toMatchObject({ status: 'failed', ok: false, code: 3, error: 'exit code 3' });
    expect(result.steps[0]!.output).toContain('stdout:\nsome out');
    expect(result.steps[0]!.output).toContain('stderr:\nsome err');
  });

  it('kills the program on timeout', async () => {
    const rb = commandRunbook(['-e', 'setTimeout(() => {}, 60000)'], '', '    kill_grace: 200ms').steps[0]!;
    const runbook = { ...commandRunbook([]), steps: [{ ...rb, timeout: 300 }] };
    const result = await runRunbook(runbook, alertWith({}));
    expect(result.steps[0]).toMatchObject({ status: 'timed_out', ok: false, error: 'killed after 300ms' });
    expect(result.steps[0]!.output).toContain('exit by signal SIGTERM');
  });

  it('uses SIGKILL when the program ignores SIGTERM, and kills its children too', async () => {
    const script = `
      process.on('SIGTERM', () => {});
      const child = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });
      console.log('child ' + child.pid);
      setInterval(() => {}, 1000);`;
    const runbook = commandRunbook(['-e', script], '', '    kill_grace: 200ms');
    runbook.steps[0]!.timeout = 500;
    const result = await runRunbook(runbook, alertWith({}));
    expect(result.steps[0]).toMatchObject({ status: 'timed_out' });
    expect(result.steps[0]!.output).toContain('exit by signal SIGKILL');
    const pid = Number(/child (\d+)/.exec(result.steps[0]!.output)![1]);
    await new Promise((r) => setTimeout(r, 100));
    expect(running(pid)).toBe(false);
  });

  it('keeps only outputLimit bytes of stdout and stderr', async () => {
    const rb = commandRunbook(['-e', 'process.stdout.write("o".repeat(20000)); process.stderr.write("e".repeat(20000))']);
    const result = await runRunbook(rb, alertWith({}), { outputLimit: 1000 });
    const out = result.steps[0]!.output;
    expect(result.steps[0]!.status).toBe('succeeded');
    expect(out).toContain('o'.repeat(1000));
    expect(out).not.toContain('o'.repeat(1001));
    expect(out).toContain('e'.repeat(1000));
    expect(out).not.toContain('e'.repeat(1001));
    expect(out).toContain('(truncated: 20000 bytes, first 1000 kept)');
  });

  it('refuses an executable that is not on the allow-list, at run time', async () => {
    const runbook = commandRunbook(['-e', printArgv]);
    const narrowed = { ...runbook, allowCommands: [] };
    const result = await runRunbook(narrowed, alertWith({}), { allowCommands: ['/bin/true'] });
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: `${node} is not on the allow-list; not run` });
    expect(result.steps[0]!.output).toBe('');
  });

  it('records a program that cannot start', async () => {
    const missing = '/nonexistent/vigil-test-program';
    const rb = runbookFrom(`
name: x
allow_commands: ['${missing}']
steps: [{ name: a, type: command, command: '${missing}' }]`);
    const result = await runRunbook(rb, alertWith({}));
    expect(result.steps[0]!.status).toBe('failed');
    expect(result.steps[0]!.error).toMatch(/could not start .*ENOENT/);
  });

  it('dry run starts nothing and shows the argv it would run', async () => {
    const marker = `/tmp/vigil-dry-run-${process.pid}-${Date.now()}`;
    const rb = commandRunbook(['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`, '{{ labels.service }}']);
    const result = await runRunbook(rb, alertWith({ service: 'a b' }), { dryRun: true });
    expect(result.steps[0]!.status).toBe('dry_run');
    expect(result.steps[0]!.output).toContain(`would run:\n$ ${node} -e`);
    expect(result.steps[0]!.output).toContain('"a b"');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('command step: injection attempts in labels change nothing', () => {
  // The payloads aim at a canary directory, never at anything real: if a shell ever ran them, the canary
  // would be gone or a marker file would exist, and the test would say so.
  const canary = mkdtempSync(path.join(tmpdir(), 'vigil-canary-'));
  const marker = path.join(canary, 'pwned');
  afterAll(() => rmSync(canary, { recursive: true, force: true }));

  it.each([
    `; rm -rf ${canary}`,
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `a && touch ${marker}`,
    `'; touch ${marker}; '`,
    `x\ntouch ${marker}`,
    `| tee ${marker}`,
    `> ${marker}`,
    '*',
    '~root',
    '$HOME',
  ])('the label %j arrives as one literal argv element and runs nothing', async (value) => {
    const result = await runRunbook(commandRunbook(['-e', printArgv, '--', '{{ labels.service }}', 'fixed']), alertWith({ service: value }));
    expect(result.steps[0]!.status).toBe('succeeded');
    expect(argvOf(result.steps[0]!.output).argv).toEqual([value, 'fixed']); // node takes the '--' itself
    expect(existsSync(canary)).toBe(true);
    expect(existsSync(marker)).toBe(false);
  });

  it('a value that would start an argument with "-" is refused (option injection)', async () => {
    const result = await runRunbook(commandRunbook(['-e', printArgv, '{{ labels.service }}']), alertWith({ service: '--force' }));
    expect(result.steps[0]).toMatchObject({ status: 'failed' });
    expect(result.steps[0]!.error).toMatch(/would start with "-" from an alert value/);
    expect(result.steps[0]!.output).toBe('');
  });

  it('also when an empty value comes first', async () => {
    const result = await runRunbook(commandRunbook(['-e', printArgv, '{{ labels.a }}{{ labels.b }}']), alertWith({ a: '', b: '-rf' }));
    expect(result.steps[0]!.status).toBe('failed');
  });

  it('the author can allow a leading dash for one argument, and an option the author wrote may hold any value', async () => {
    const rb = commandRunbook(['-e', printArgv, '--', { value: '{{ labels.delta }}', allow_leading_dash: true }, '--unit={{ labels.service }}']);
    const result = await runRunbook(rb, alertWith({ delta: '-1', service: '-x' }));
    expect(result.steps[0]!.status).toBe('succeeded');
    expect(argvOf(result.steps[0]!.output).argv).toEqual(['-1', '--unit=-x']);
  });

  it('a NUL byte in a value fails the step', async () => {
    const result = await runRunbook(commandRunbook(['-e', printArgv, '{{ labels.service }}']), alertWith({ service: 'a\0b' }));
    expect(result.steps[0]).toMatchObject({ status: 'failed', error: 'labels.service contains a NUL byte' });
  });
});
