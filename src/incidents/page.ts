import type { Decision } from '../rules/evaluate.js';
import type { Policy } from '../rules/schema.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { formatDuration } from '../time/duration.js';
import { wakeAfterCommit, type EngineOptions } from './engine-options.js';
import { shouldPage } from './should-page.js';
import { plural, vigil, writeEvent } from './timeline.js';
import { startTimers } from './timers/start.js';

/**
 * Pages the incident's cycle once, through the planner, and starts its timers. Called after every change that
 * could make shouldPage true; without a planner nobody is paged.
 */
export async function pageIfDue(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, decision: Decision, now: number): Promise<void> {
  const planner = ctx.planner;
  if (!planner || !shouldPage(incident, now)) return;
  const cause = `${incident.reopenCount}-${incident.severity}`;
  const policy = decision.policy;
  const { planned, missing } = await planner.page(tx, incident, policy, cause, now);
  await tx.updateIncident(incident.id, { pagedAt: now, policy });
  incident.pagedAt = now;
  incident.policy = policy;
  await startTimers(ctx, tx, incident, policy, now);
  await writeEvent(tx, incident.id, now, vigil('notify'), 'paging', pagingMessage(policy, planned, missing), { planned, missing });
  wakeAfterCommit(ctx, tx, planned > 0);
}

/** "paging oncall by voice, sms: 2 messages; not reachable: ...", or why nobody is paged. */
function pagingMessage(policy: Policy, planned: number, missing: string[]): string {
  if (policy.notify.length === 0) return 'no page: this severity goes to the digest only';
  const who = policy.notify.map((n) => `${n.role} by ${n.channels.join(', ')}`).join('; ');
  const bundled = policy.bundleWindow ? `, bundled within ${formatDuration(policy.bundleWindow)}` : '';
  const unreachable = missing.length ? `; not reachable: ${missing.join('; ')}` : '';
  return `paging ${who}: ${plural(planned, 'message')}${bundled}${unreachable}`;
}
