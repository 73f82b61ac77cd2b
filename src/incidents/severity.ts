import type { Alert } from '../alerts/alert.js';
import { moreUrgent, type Priority } from '../alerts/severity.js';
import { explain, type Decision } from '../rules/evaluate.js';
import { alertLabel } from '../rules/grouping.js';
import type { IncidentRow, StoreTx } from '../store/types.js';
import { decisionData } from './decide.js';
import type { EngineOptions } from './engine-options.js';
import { pageIfDue } from './page.js';
import { sender, writeEvent } from './timeline.js';

/**
 * Raises the incident to the alert's severity and priority when they are more urgent (never lowers them). A more
 * urgent policy pages again, under its own rules (a warning's email becomes a critical's call).
 */
export async function raiseSeverity(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, decision: Decision, alert: Alert): Promise<void> {
  const severity = moreUrgent(incident.severity, decision.severity);
  const priority = morePressing(incident.priority, decision.priority);
  if (severity === incident.severity && priority === incident.priority) return;
  await tx.updateIncident(incident.id, { severity, priority, updatedAt: alert.receivedAt });
  const from = `${incident.severity} ${incident.priority}`;
  await writeEvent(
    tx,
    incident.id,
    alert.receivedAt,
    sender(alert.source),
    'severity_changed',
    `raised from ${from} to ${severity} ${priority} by ${alertLabel(alert.labels)}: ${explain(decision)}`,
    { from: incident.severity, to: severity, fromPriority: incident.priority, toPriority: priority, ...decisionData(decision) },
  );
  incident.severity = severity;
  incident.priority = priority;
  if (incident.pagedAt !== null && incident.status === 'triggered') {
    incident.pagedAt = null;
    await tx.updateIncident(incident.id, { pagedAt: null });
    await pageIfDue(ctx, tx, incident, decision, alert.receivedAt);
  }
}

/** P1 is more pressing than P2. */
function morePressing(a: Priority, b: Priority): Priority {
  return a <= b ? a : b;
}
