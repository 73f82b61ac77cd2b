import type { Alert } from '../alerts/alert.js';
import { detailsDigest } from '../alerts/details-digest.js';
import { severityRank } from '../alerts/severity.js';
import type { AlertState, StoreTx } from '../store/types.js';
import { decide } from './decide.js';
import type { EngineOptions } from './engine-options.js';
import type { ReceiptBook } from './receipts.js';
import { raiseSeverity } from './severity.js';

/**
 * A repeat of a firing alert. Senders repeat constantly (Prometheus on every evaluation), so a repeat
 * that changes nothing writes nothing now: its receipt time is batched by the scheduler.
 */
export async function refresh(ctx: EngineOptions, receipts: ReceiptBook, tx: StoreTx, current: AlertState, alert: Alert): Promise<void> {
  const annotationsJson = JSON.stringify(alert.annotations);
  // An alert without values (a repeat from a sender that has none) keeps the stored ones.
  const valuesJson = alert.values === null ? null : JSON.stringify(alert.values);
  // The labels of one fingerprint do not change, so neither does the rules' decision, unless the sender
  // changes the severity of a kept fingerprint (a PagerDuty re-trigger).
  const decision = alert.rawSeverity !== current.rawSeverity ? decide(ctx, alert) : null;
  const raised = decision !== null && severityRank(decision.severity) < severityRank(current.severity);
  const detailsChanged =
    current.annotationsDigest !== detailsDigest(annotationsJson) || (valuesJson !== null && current.valuesDigest !== detailsDigest(valuesJson));
  if (decision === null && !detailsChanged && current.endsAt === alert.endsAt && current.expiresAt === alert.expiresAt) {
    // Counted once the write commits: a write that is rolled back (or run again) counts nothing.
    tx.afterCommit(() => receipts.note(current.id, alert.receivedAt));
    return;
  }
  await tx.refreshAlert(current.id, {
    endsAt: alert.endsAt,
    expiresAt: alert.expiresAt,
    lastReceivedAt: alert.receivedAt,
    ...(detailsChanged ? { annotationsJson, ...(valuesJson === null ? {} : { valuesJson }) } : {}),
    ...(decision ? { severity: raised ? decision.severity : current.severity, rawSeverity: alert.rawSeverity } : {}),
  });
  if (raised) {
    const incident = await tx.getIncident(current.incidentId);
    if (incident) await raiseSeverity(ctx, tx, incident, decision, alert);
  }
}
