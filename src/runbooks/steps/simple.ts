import { formatDuration } from '../../time/duration.js';
import { renderText } from '../step-template.js';
import { AbortError } from '../timing.js';
import type { ApproveStep, NotifyStep, WaitStep } from '../types.js';
import { failed, type ApprovalDecision, type StepContext, type StepOutcome } from './context.js';

export async function runWaitStep(step: WaitStep, ctx: StepContext): Promise<StepOutcome> {
  const what = `wait ${formatDuration(step.duration)}`;
  if (ctx.dryRun) return { status: 'dry_run', output: `would ${what}` };
  try {
    await ctx.sleep(step.duration, ctx.signal);
  } catch {
    return failed('aborted: Vigil is shutting down', what);
  }
  return { status: 'succeeded', output: `waited ${formatDuration(step.duration)}` };
}

/** Secrets are masked in the message before it leaves, so responders never see them either. */
export async function runNotifyStep(step: NotifyStep, ctx: StepContext): Promise<StepOutcome> {
  const message = ctx.secrets.mask(renderText(step.message, ctx.scope));
  if (ctx.dryRun) return { status: 'dry_run', output: `would notify responders: ${message}` };
  if (!ctx.notify) return failed('no notification channel for runbooks is configured', message);
  await withTimeout(Promise.resolve(ctx.notify(message, { runId: ctx.runId, runbook: ctx.runbook.name, step: step.name })), step.timeout);
  return { status: 'succeeded', output: `notified responders: ${message}` };
}

/**
 * Waits for a person's decision through the approval port, at most `timeout` (through the injected sleep).
 * Chosen for now: an awaited promise, so a restart of Vigil ends a waiting run; the port gets a signal that
 * fires when the wait ends so the integration can withdraw the request.
 */
export async function runApproveStep(step: ApproveStep, ctx: StepContext): Promise<StepOutcome> {
  const prompt = ctx.secrets.mask(renderText(step.prompt, ctx.scope));
  if (ctx.dryRun) return { status: 'dry_run', output: `would ask for approval: ${prompt}` };
  if (!ctx.awaitApproval) return failed('no approval channel is configured', prompt);
  const waiting = new AbortController();
  const onShutdown = () => waiting.abort(new AbortError('aborted: Vigil is shutting down'));
  ctx.signal?.addEventListener('abort', onShutdown, { once: true });
  const timeout: unique symbol = Symbol('timeout');
  try {
    const decision: ApprovalDecision | typeof timeout = await Promise.race([
      ctx.awaitApproval({ runId: ctx.runId, runbook: ctx.runbook.name, step: step.name, prompt, timeout: step.timeout, signal: waiting.signal }),
      ctx.sleep(step.timeout, waiting.signal).then((): typeof timeout => timeout),
      new Promise<never>((_, reject) => waiting.signal.addEventListener('abort', () => reject(waiting.signal.reason as Error), { once: true })),
    ]);
    if (decision === timeout) {
      return { status: 'timed_out', output: `asked: ${prompt}`, error: `nobody decided within ${formatDuration(step.timeout)}` };
    }
    const note = decision.comment ? ` (${decision.comment})` : '';
    if (decision.approved) return { status: 'succeeded', output: `asked: ${prompt}\napproved by ${decision.by}${note}` };
    return { status: 'failed', output: `asked: ${prompt}\nrejected by ${decision.by}${note}`, error: `rejected by ${decision.by}` };
  } catch (err) {
    return failed(ctx.signal?.aborted ? 'aborted: Vigil is shutting down' : (err as Error).message, `asked: ${prompt}`);
  } finally {
    ctx.signal?.removeEventListener('abort', onShutdown);
    if (!waiting.signal.aborted) waiting.abort(new AbortError('approval wait ended'));
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`notify did not finish within ${ms}ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
