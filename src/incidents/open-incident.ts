import type { Alert } from '../alerts/alert.js';
import { explain, type Decision } from '../rules/evaluate.js';
import type { IncidentRow, NewIncident, StoreTx } from '../store/types.js';
import { formatDuration } from '../time/duration.js';
import { decisionData } from './decide.js';
import type { IngestBatch } from './ingest-batch.js';
import type { EngineOptions } from './engine-options.js';
import { sender, vigil, writeEvent } from './timeline.js';

/**
 * The incident a firing alert joins: the open one of its group, the group's last one reopened when it resolved
 * within the flap window, or a new one.
 */
export async function incidentFor(
  ctx: EngineOptions,
  tx: StoreTx,
  batch: IngestBatch,
  alert: Alert,
  decision: Decision,
  groupKey: string,
): Promise<{ incident: IncidentRow; outcome: 'attached' | 'reopened' | 'created' }> {
  const known = batch.openIncident(groupKey);
  const open = known === undefined ? await tx.openIncidentByGroupKey(groupKey) : known;
  const found = open ? { incident: open, outcome: 'attached' as const } : await reopenedOrNew(ctx, tx, alert, decision, groupKey);
  batch.remember(groupKey, found.incident);
  return found;
}

/** No open incident: the group's last one comes back when it resolved within the flap window, else a new one. */
async function reopenedOrNew(ctx: EngineOptions, tx: StoreTx, alert: Alert, decision: Decision, groupKey: string) {
  const recent = await tx.lastResolvedIncidentByGroupKey(groupKey);
  if (recent && recent.resolvedAt !== null && alert.receivedAt - recent.resolvedAt <= ctx.flapWindowMs) {
    return { incident: await reopen(tx, recent, alert), outcome: 'reopened' as const };
  }
  return { incident: await openIncident(tx, alert, decision, groupKey), outcome: 'created' as const };
}

async function openIncident(tx: StoreTx, alert: Alert, decision: Decision, groupKey: string): Promise<IncidentRow> {
  const now = alert.receivedAt;
  const incident = await tx.insertIncident(newIncident(alert, decision, groupKey));
  const data = { groupKey, severity: decision.severity, priority: incident.priority };
  await writeEvent(tx, incident.id, now, sender(alert.source), 'triggered', `incident opened: ${incident.title}`, data);
  // "Why was I paged": the rules' decision, in words and in data.
  await writeEvent(tx, incident.id, now, vigil('rules'), 'classified', explain(decision), decisionData(decision));
  return incident;
}

function newIncident(alert: Alert, decision: Decision, groupKey: string): NewIncident {
  const now = alert.receivedAt;
  return {
    groupKey,
    title: decision.title,
    status: 'triggered',
    severity: decision.severity,
    priority: decision.priority,
    team: decision.team,
    service: decision.service,
    source: alert.source,
    alertCount: 0,
    firingCount: 0,
    suppressedCount: 0,
    pagedAt: null,
    policy: decision.policy,
    escalationTier: 1,
    escalationRound: 0,
    ackSlaBreached: false,
    resolveSlaBreached: false,
    holdUntil: null,
    selfHealed: false,
    flapping: false,
    reopenCount: 0,
    createdAt: now,
    updatedAt: now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
  };
}

/** Fired again soon after resolving: the same incident opens a new cycle, marked flapping. */
async function reopen(tx: StoreTx, incident: IncidentRow, alert: Alert): Promise<IncidentRow> {
  const now = alert.receivedAt;
  const after = incident.resolvedAt === null ? 0 : now - incident.resolvedAt;
  const patch: Partial<IncidentRow> = {
    status: 'triggered',
    flapping: true,
    reopenCount: incident.reopenCount + 1,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    pagedAt: null,
    escalationTier: 1,
    escalationRound: 0,
    holdUntil: null,
    selfHealed: false,
    updatedAt: now,
  };
  await tx.updateIncident(incident.id, patch);
  const message = `fired again ${formatDuration(after)} after resolving; reopened and marked flapping`;
  await writeEvent(tx, incident.id, now, sender(alert.source), 'reopened', message, { reopenCount: incident.reopenCount + 1 });
  return { ...incident, ...patch };
}
