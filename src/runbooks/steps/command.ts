import { spawn } from 'node:child_process';
import { commandAllowed } from '../allow-list.js';
import { OutputBuffer, showArgv } from '../output.js';
import { asArgv, render } from '../step-template.js';
import type { CommandStep } from '../types.js';
import { renderArg } from './command-args.js';
import { failed, type StepContext, type StepOutcome } from './context.js';

/** The program's whole environment: Vigil's own (tokens, database path) is not passed on. */
const baseEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' };

/** Signals the program's whole process group, so helpers it started die with it. */
function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs an allow-listed executable with an argument array and no shell: a value from the alert is one argv
 * element whatever characters it holds. On timeout (or shutdown) the process group gets SIGTERM, then SIGKILL.
 */
export async function runCommandStep(step: CommandStep, ctx: StepContext): Promise<StepOutcome> {
  if (!commandAllowed(step.command, ctx.allowCommands)) return failed(`${step.command} is not on the allow-list; not run`);
  const args = step.args.map((a) => renderArg(a, ctx.scope));
  const env: Record<string, string> = { ...baseEnv };
  for (const e of step.env) env[e.name] = render(e.value, ctx.scope, asArgv);
  const shown = `$ ${showArgv([step.command, ...args])}${step.env.length ? `\n(env: ${step.env.map((e) => e.name).join(', ')})` : ''}`;
  if (ctx.dryRun) return { status: 'dry_run', output: `would run:\n${shown}` };
  if (ctx.signal?.aborted) return failed('aborted: Vigil is shutting down', shown);

  const stdout = new OutputBuffer(ctx.outputLimit);
  const stderr = new OutputBuffer(ctx.outputLimit);
  return new Promise<StepOutcome>((resolve) => {
    const child = spawn(step.command, args, { shell: false, env, cwd: step.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true, windowsHide: true });
    let reason: 'timeout' | 'shutdown' | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let giveUp: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'shutdown') => {
      if (reason) return;
      reason = why;
      kill(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        kill(child.pid, 'SIGKILL');
        // A grandchild that left the group could hold the pipes open for ever; stop waiting for them.
        giveUp = setTimeout(() => finish(null, 'SIGKILL'), step.killGrace + 1000);
      }, step.killGrace);
    };
    const timer = setTimeout(() => stop('timeout'), step.timeout);
    const onAbort = () => stop('shutdown');
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));

    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(giveUp);
      ctx.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      const lines = [shown, spawnError ? '' : `exit ${code ?? `by signal ${signal}`}`];
      if (stdout.total) lines.push('stdout:', stdout.text(ctx.secrets));
      if (stderr.total) lines.push('stderr:', stderr.text(ctx.secrets));
      const output = lines.filter((l) => l !== '').join('\n');
      const exitCode = code ?? undefined;
      if (spawnError) resolve(failed(`could not start ${step.command}: ${spawnError.message}`, output));
      else if (reason === 'timeout') resolve({ status: 'timed_out', output, code: exitCode, error: `killed after ${step.timeout}ms` });
      else if (reason === 'shutdown') resolve({ status: 'failed', output, code: exitCode, error: 'aborted: Vigil is shutting down' });
      else if (code === 0) resolve({ status: 'succeeded', output, code: 0 });
      else resolve({ status: 'failed', output, code: exitCode, error: code === null ? `ended by signal ${signal}` : `exit code ${code}` });
    };
    child.on('error', (err) => finish(null, null, err));
    child.on('close', (code, signal) => finish(code, signal));
  });
}
