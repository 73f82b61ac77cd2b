import type { Alert } from '../alerts/alert.js';
import type { Decision } from '../rules/evaluate.js';
import { alertLabel, groupKeyOf } from '../rules/grouping.js';
import type { AlertState, IncidentRow, NewAlert, StoreTx } from '../store/types.js';
import { decide } from './decide.js';
import type { EngineOptions } from './engine-options.js';
import type { AlertOutcome } from './engine-port.js';
import { remediate } from './holds.js';
import type { IngestBatch } from './ingest-batch.js';
import { incidentFor } from './open-incident.js';
import { pageIfDue } from './page.js';
import { raiseSeverity } from './severity.js';
import type { SuppressionPass } from './suppression-pass.js';
import { sender, vigil, writeEvent } from './timeline.js';

/**
 * An alert starts firing (new, or again after it resolved): it joins its group's incident, which may raise the
 * incident's severity, queue runbooks (holding the page) and page.
 */
export async function fire(
  ctx: EngineOptions,
  suppressions: SuppressionPass,
  tx: StoreTx,
  batch: IngestBatch,
  alert: Alert,
  previous: AlertState | undefined,
): Promise<{ outcome: AlertOutcome; incidentId: number }> {
  const now = alert.receivedAt;
  const decision = batch.decisionOf(alert, (a) => decide(ctx, a));
  const { incident, outcome } = await incidentFor(ctx, tx, batch, alert, decision, groupKeyOf(alert.labels, decision.groupBy));
  const suppressedBy = suppressions.find(alert, now);
  const newRow = await writeFiringAlert(tx, alert, decision, incident, previous, suppressedBy);
  batch.count(incident, {
    firingCount: incident.firingCount + 1,
    suppressedCount: incident.suppressedCount + (suppressedBy ? 1 : 0),
    alertCount: incident.alertCount + (newRow ? 1 : 0),
    updatedAt: now,
  });

  if (batch.joined(incident.id, alert)) {
    await writeEvent(tx, incident.id, now, sender(alert.source), 'alert_firing', `${alertLabel(alert.labels)} firing`, {
      fingerprint: alert.fingerprint,
      labels: alert.labels,
      startsAt: new Date(alert.startsAt).toISOString(),
      severity: decision.severity,
      matchedRules: decision.matchedRules,
    });
  }
  if (suppressedBy) await suppressions.note(tx, incident.id, alert.labels, suppressedBy, alert.source, now);
  tx.afterCommit(() => suppressions.alertFiring(alert.fingerprint, alert.labels));
  if (!decision.severityKnown) await noteUnknownSeverity(tx, incident.id, alert);
  if (outcome !== 'created') await raiseSeverity(ctx, tx, incident, decision, alert);
  if (outcome === 'created' || outcome === 'reopened') await remediate(ctx, tx, incident, decision, alert, now);
  await pageIfDue(ctx, tx, incident, decision, now);
  return { outcome, incidentId: incident.id };
}

/**
 * Writes the alert's row as firing: the same row again when it fires again in the same incident, else a new
 * row. True when the row is new (the incident counts one alert more).
 */
async function writeFiringAlert(
  tx: StoreTx,
  alert: Alert,
  decision: Decision,
  incident: IncidentRow,
  previous: AlertState | undefined,
  suppressedBy: ReturnType<SuppressionPass['find']>,
): Promise<boolean> {
  const now = alert.receivedAt;
  if (previous && previous.incidentId === incident.id) {
    const row = (await tx.getAlert(previous.id))!;
    await tx.updateAlert(previous.id, { ...firingFields(alert, decision, suppressedBy), receiveCount: row.receiveCount + 1 });
    return false;
  }
  // The new row's own fields are added one by one, not as a spread followed by more fields: a storm writes
  // thousands of these a second, and that spread missed V8's inline caches on every alert.
  const row: FiringFields & Partial<Pick<NewAlert, NewRowOnly>> = firingFields(alert, decision, suppressedBy);
  row.fingerprint = alert.fingerprint;
  row.incidentId = incident.id;
  row.firstReceivedAt = now;
  row.receiveCount = 1;
  // Every field is set: firingFields gives all but NewRowOnly, and those four are set just above.
  await tx.addAlert(row as NewAlert);
  return true;
}

/** The fields only a new row gets; firing again sets the others (FiringFields). */
type NewRowOnly = 'fingerprint' | 'incidentId' | 'firstReceivedAt' | 'receiveCount';
type FiringFields = Omit<NewAlert, NewRowOnly>;

/** What firing (again) sets on the alert's row. */
function firingFields(alert: Alert, decision: Decision, suppressedBy: ReturnType<SuppressionPass['find']>): FiringFields {
  return {
    source: alert.source,
    status: 'firing',
    severity: decision.severity,
    rawSeverity: alert.rawSeverity,
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    expiresAt: alert.expiresAt,
    generatorURL: alert.generatorURL,
    links: alert.links,
    values: alert.values,
    lastReceivedAt: alert.receivedAt,
    resolvedAt: null,
    resolvedBy: null,
    suppressedBy,
  };
}

/** The sender gave no severity, or one Vigil does not know, and no rule set one. */
function noteUnknownSeverity(tx: StoreTx, incidentId: number, alert: Alert): Promise<void> {
  const message =
    alert.rawSeverity == null
      ? `${alertLabel(alert.labels)} has no severity; treated as warning`
      : `${alertLabel(alert.labels)} has unknown severity "${alert.rawSeverity}"; treated as warning`;
  return writeEvent(tx, incidentId, alert.receivedAt, vigil(alert.source), 'severity_unknown', message, { rawSeverity: alert.rawSeverity });
}
