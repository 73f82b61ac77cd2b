import type { Alert } from '../alerts/alert.js';
import type { Decision } from '../rules/evaluate.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { formatDuration } from '../time/duration.js';
import { decide } from './decide.js';
import type { EngineOptions } from './engine-options.js';
import { pageIfDue } from './page.js';
import { vigil, writeEvent } from './timeline.js';

/**
 * Queues the rules' runbooks for a new incident cycle. With the policy's holdPageFor, the page waits while
 * they try: resolved by then, the incident closes as self-healed; otherwise it pages when the hold ends (or
 * at once, when a run fails or is refused).
 */
export async function remediate(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, decision: Decision, alert: Alert, now: number): Promise<void> {
  const remediation = ctx.remediation;
  if (!remediation || decision.runbooks.length === 0) return;
  const queued = await remediation.enqueue(tx, incident, decision.runbooks, alert, now);
  const hold = decision.policy.holdPageFor;
  if (queued === 0 || hold === null || hold <= 0 || incident.pagedAt !== null) return;
  incident.holdUntil = now + hold;
  await tx.updateIncident(incident.id, { holdUntil: incident.holdUntil });
  await tx.setTimer(incident.id, 'hold', incident.holdUntil);
  const runbooks = decision.runbooks;
  const message = `page held for ${formatDuration(hold)} while ${runbooks.join(', ')} ${runbooks.length === 1 ? 'tries' : 'try'} a fix`;
  await writeEvent(tx, incident.id, now, vigil('runbooks'), 'page_held', message, { runbooks, until: incident.holdUntil });
}

/** Ends a page hold (it ran out, or a run failed, asked to escalate or was refused) and pages now, saying why. */
export async function endHold(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, why: string, now: number): Promise<void> {
  incident.holdUntil = null;
  await tx.updateIncident(incident.id, { holdUntil: null });
  await tx.clearTimers(incident.id, ['hold']);
  await writeEvent(tx, incident.id, now, vigil('runbooks'), 'hold_ended', `${why}: paging`);
  const alerts = await tx.firingAlertsOf(incident.id);
  if (alerts[0]) await pageIfDue(ctx, tx, incident, decide(ctx, alerts[0]), now);
}

/** Ends the hold early from outside (the runbook runner); nothing happens when the incident is no longer held. */
export async function releaseHold(ctx: EngineOptions, tx: StoreTx, incidentId: number, why: string, now: number): Promise<void> {
  const incident = await tx.getIncident(incidentId);
  if (!incident || incident.holdUntil === null || incident.status === 'resolved') return;
  await endHold(ctx, tx, incident, why, now);
}
