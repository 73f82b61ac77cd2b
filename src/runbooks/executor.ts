import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../time/clock.js';
import { evaluateCondition } from './condition.js';
import { SecretMask } from './secrets.js';
import { runCheckStep } from './steps/check.js';
import { runCommandStep } from './steps/command.js';
import { failed, type ApprovalPort, type NotifyPort, type StepContext, type StepOutcome } from './steps/context.js';
import { runHttpStep } from './steps/http.js';
import { runApproveStep, runNotifyStep, runWaitStep } from './steps/simple.js';
import { RenderError, type RenderScope } from './step-template.js';
import { realSleep, type Sleep } from './timing.js';
import type { AlertContext, RunOutcome, RunResult, Runbook, Step, StepResult } from './types.js';
import { truncate } from './output.js';

export interface RunOptions {
  clock?: Clock;
  sleep?: Sleep;
  /** Global dry run (config runbooks.dryRun); a runbook's own dry_run also applies. */
  dryRun?: boolean;
  /** Base URL of the Prometheus HTTP API for check steps, e.g. http://prometheus:9090. */
  prometheusUrl?: string;
  /** Global allow-lists, merged with the runbook's. */
  allowHosts?: string[];
  allowCommands?: string[];
  /** Bytes kept of each response body, stdout and stderr (default 4096). */
  outputLimit?: number;
  notify?: NotifyPort;
  awaitApproval?: ApprovalPort;
  /** Audit hooks: the integration writes each step to the incident timeline. If one throws, the run stops: no action without a record. */
  onStepStart?: (step: { runId: string; runbook: string; name: string; type: Step['type']; startedAt: number; dryRun: boolean }) => void | Promise<void>;
  onStep?: (result: StepResult, run: { runId: string; runbook: string; dryRun: boolean }) => void | Promise<void>;
  /** Fires on shutdown: the running step is cancelled and the run ends as aborted. */
  signal?: AbortSignal;
  /** Given when the integration recorded the run before it started. */
  runId?: string;
}

function dispatch(step: Step, ctx: StepContext): Promise<StepOutcome> {
  switch (step.type) {
    case 'http':
      return runHttpStep(step, ctx);
    case 'command':
      return runCommandStep(step, ctx);
    case 'check':
      return runCheckStep(step, ctx);
    case 'wait':
      return runWaitStep(step, ctx);
    case 'notify':
      return runNotifyStep(step, ctx);
    case 'approve':
      return runApproveStep(step, ctx);
  }
}

/**
 * Runs a runbook's steps in order for one alert. Guards (kill switch, concurrency, rate limit) are checked
 * before, by the caller (guards.ts). Never throws for a step's failure; it is in the result.
 */
export async function runRunbook(runbook: Runbook, alert: AlertContext, options: RunOptions = {}): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const dryRun = Boolean(options.dryRun) || runbook.dryRun;
  const runId = options.runId ?? randomUUID();
  const outputLimit = options.outputLimit ?? 4096;
  const secrets = new SecretMask(runbook.secrets);
  const mask = (s: string) => secrets.mask(s);
  const results = new Map<string, StepResult>();
  const scope: RenderScope = { alert, env: runbook.env, steps: results };
  const ctx: StepContext = {
    runId,
    runbook,
    scope,
    dryRun,
    clock,
    sleep: options.sleep ?? realSleep,
    signal: options.signal,
    outputLimit,
    allowHosts: [...runbook.allowHosts, ...(options.allowHosts ?? [])],
    allowCommands: [...runbook.allowCommands, ...(options.allowCommands ?? [])],
    prometheusUrl: options.prometheusUrl,
    notify: options.notify,
    awaitApproval: options.awaitApproval,
    secrets,
  };
  const meta = { runId, runbook: runbook.name, dryRun };
  const startedAt = clock.now();
  let outcome: RunOutcome = dryRun ? 'dry_run' : 'succeeded';
  let stoppedBy: string | null = null;
  const steps: StepResult[] = [];

  const record = async (r: StepResult) => {
    steps.push(r);
    results.set(r.name, r);
    await options.onStep?.(r, meta);
  };

  for (const step of runbook.steps) {
    const base = { name: step.name, type: step.type };
    if (stoppedBy === null && options.signal?.aborted) {
      outcome = 'aborted';
      stoppedBy = 'Vigil is shutting down';
    }
    if (stoppedBy !== null) {
      const at = clock.now();
      await record({ ...base, ok: false, status: 'skipped', startedAt: at, endedAt: at, output: '', error: `not run: ${stoppedBy}` });
      continue;
    }
    if (step.when && !evaluateCondition(step.when.test, scope)) {
      const at = clock.now();
      await record({ ...base, ok: false, status: 'skipped', startedAt: at, endedAt: at, output: '', error: `condition not met: ${step.when.source}` });
      continue;
    }
    const stepStart = clock.now();
    await options.onStepStart?.({ ...meta, name: step.name, type: step.type, startedAt: stepStart, dryRun });
    let out: StepOutcome;
    try {
      out = await dispatch(step, ctx);
    } catch (err) {
      // A value that cannot be placed safely (RenderError) or anything unexpected fails the step, never the service.
      out = failed(err instanceof RenderError ? err.message : `unexpected error: ${(err as Error).message}`);
    }
    const ok = out.status === 'succeeded' || out.status === 'dry_run';
    const result: StepResult = {
      ...base,
      ok,
      status: out.status,
      startedAt: stepStart,
      endedAt: clock.now(),
      output: truncate(mask(out.output), outputLimit * 3),
      ...(out.error !== undefined ? { error: mask(out.error) } : {}),
      ...(out.code !== undefined ? { code: out.code } : {}),
    };
    await record(result);
    if (ok) continue;
    if (options.signal?.aborted) {
      outcome = 'aborted';
      stoppedBy = 'Vigil is shutting down';
    } else if (step.onFailure === 'stop') {
      outcome = 'failed';
      stoppedBy = `step ${step.name} ${result.status === 'timed_out' ? 'timed out' : 'failed'}`;
    } else if (step.onFailure === 'escalate') {
      outcome = 'escalate';
      stoppedBy = `step ${step.name} ${result.status === 'timed_out' ? 'timed out' : 'failed'}; escalated to a human`;
    }
  }
  return { runId, runbook: runbook.name, outcome, dryRun, startedAt, endedAt: clock.now(), steps };
}
