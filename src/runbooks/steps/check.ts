import axios from 'axios';
import { renderPromql } from '../promql-template.js';
import { deadline } from '../timing.js';
import type { CheckCondition, CheckStep } from '../types.js';
import { compare } from './check-condition.js';
import { failed, type StepContext, type StepOutcome } from './context.js';

interface Sample {
  labels: string;
  value: number;
}

/** The Prometheus query API's answer as samples; a range vector or a string is an error. */
function samples(body: unknown): Sample[] {
  const b = body as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  if (b?.status !== 'success') throw new Error(`Prometheus answered ${b?.status ?? 'something else'}${b?.error ? `: ${b.error}` : ''}`);
  const { resultType, result } = b.data ?? {};
  if (resultType === 'scalar') return [{ labels: '', value: Number((result as [number, string])[1]) }];
  if (resultType === 'vector' && Array.isArray(result)) {
    return result.map((r: { metric?: Record<string, string>; value?: [number, string] }) => ({
      labels: Object.entries(r.metric ?? {})
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(','),
      value: Number(r.value?.[1]),
    }));
  }
  throw new Error(`unsupported result type ${resultType} (use an instant vector or scalar query)`);
}

function holds(c: CheckCondition, s: Sample[]): boolean {
  if (c.kind === 'result_nonempty') return s.length > 0;
  if (c.kind === 'result_empty') return s.length === 0;
  return s.length > 0 && s.every((x) => compare(x.value, c));
}

const conditionText = (c: CheckCondition) => (c.kind === 'compare' ? `every sample ${c.source}` : c.kind);
const show = (s: Sample[]) => (s.length === 0 ? 'no samples' : s.slice(0, 10).map((x) => `{${x.labels}} ${x.value}`).join('; ') + (s.length > 10 ? `; … ${s.length} samples` : ''));

/**
 * Verifies a fix: runs the query until the condition holds, at most 1 + retries times, `interval` apart
 * (through the injected sleep, so tests do not wait). `timeout` bounds each query.
 */
export async function runCheckStep(step: CheckStep, ctx: StepContext): Promise<StepOutcome> {
  const query = renderPromql(step.query, ctx.scope);
  const plan = `query ${query}\ncondition: ${conditionText(step.condition)}; up to ${step.retries + 1} attempts ${step.interval}ms apart`;
  if (ctx.dryRun) return { status: 'dry_run', output: `would ${plan}` };
  if (!ctx.prometheusUrl) return failed('no Prometheus configured (runbooks.prometheusUrl)', plan);
  const endpoint = `${ctx.prometheusUrl.replace(/\/+$/, '')}/api/v1/query?${new URLSearchParams({ query })}`;

  const log = [plan];
  let lastTimedOut = false;
  for (let attempt = 1; attempt <= step.retries + 1; attempt++) {
    if (attempt > 1) {
      try {
        await ctx.sleep(step.interval, ctx.signal);
      } catch {
        return failed('aborted: Vigil is shutting down', log.join('\n'));
      }
    }
    const at = new Date(ctx.clock.now()).toISOString();
    const dl = deadline(step.timeout, ctx.signal);
    try {
      const res = await axios.get(endpoint, { maxRedirects: 0, proxy: false, signal: dl.signal, validateStatus: () => true });
      const s = samples(res.data);
      const ok = holds(step.condition, s);
      log.push(`attempt ${attempt} at ${at}: ${show(s)}${ok ? ' — condition holds' : ''}`);
      lastTimedOut = false;
      if (ok) return { status: 'succeeded', output: log.join('\n') };
    } catch (err) {
      if (ctx.signal?.aborted) return failed('aborted: Vigil is shutting down', log.join('\n'));
      lastTimedOut = dl.timedOut();
      log.push(`attempt ${attempt} at ${at}: ${lastTimedOut ? `no answer within ${step.timeout}ms` : (err as Error).message}`);
    } finally {
      dl.dispose();
    }
  }
  const error = `condition (${conditionText(step.condition)}) not met after ${step.retries + 1} attempt${step.retries ? 's' : ''}`;
  return { status: lastTimedOut ? 'timed_out' : 'failed', output: log.join('\n'), error };
}
