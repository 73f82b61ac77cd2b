import type { Alert } from '../alerts/alert.js';
import { alertLabel, groupKeyOf } from '../rules/grouping.js';
import { decide } from './decide.js';
import type { StoreTx } from '../store/types.js';
import type { EngineOptions } from './engine-options.js';
import type { AlertOutcome } from './engine-port.js';
import { fire } from './fire.js';
import type { IngestBatch } from './ingest-batch.js';
import type { ReceiptBook } from './receipts.js';
import { refresh } from './refresh.js';
import { resolveAlert } from './resolve-alert.js';
import type { SuppressionPass } from './suppression-pass.js';
import { sender } from './timeline.js';

/** The in-memory state the engine keeps beside the store: suppression mirrors and batched receipts. */
export interface EngineMirrors {
  suppressions: SuppressionPass;
  receipts: ReceiptBook;
}

/**
 * Before a write's alerts apply: the open incidents of the groups its new firing alerts join, looked up in one go
 * (PostgreSQL: one round trip for a storm's write instead of one per group). Each decision is kept for fire().
 */
export async function lookAheadForGroups(ctx: EngineOptions, tx: StoreTx, batch: IngestBatch, alerts: Alert[]): Promise<void> {
  const keys: string[] = [];
  for (const alert of alerts) {
    if (alert.status !== 'firing') continue;
    if ((await tx.currentAlertState(alert.fingerprint))?.status === 'firing') continue;
    keys.push(groupKeyOf(alert.labels, batch.decisionOf(alert, (a) => decide(ctx, a)).groupBy));
  }
  await batch.lookUpOpen(tx, keys);
}

/** Applies one alert from a sender: it fires, repeats (refresh), resolves, or changes nothing. */
export async function applyAlert(
  ctx: EngineOptions,
  mirrors: EngineMirrors,
  tx: StoreTx,
  batch: IngestBatch,
  alert: Alert,
): Promise<{ outcome: AlertOutcome; incidentId: number | null }> {
  const now = alert.receivedAt;
  const current = await tx.currentAlertState(alert.fingerprint);
  if (alert.status === 'resolved') {
    if (!current || current.status === 'resolved') return { outcome: 'ignored', incidentId: current?.incidentId ?? null };
    // Resolving reads and changes incidents apart from the ones the batch remembers.
    await batch.forget(tx);
    const row = (await tx.getAlert(current.id))!;
    // Another instance resolved it since the state was read (the row read is locked and current).
    if (row.status !== 'firing') return { outcome: 'ignored', incidentId: current.incidentId };
    await resolveAlert(ctx, mirrors.suppressions, tx, row, {
      ...sender(alert.source),
      at: now,
      endsAt: alert.endsAt !== null && alert.endsAt <= now ? alert.endsAt : now,
      kind: 'alert_resolved',
      message: `${alertLabel(row.labels)} resolved`,
    });
    return { outcome: 'resolved', incidentId: current.incidentId };
  }
  if (current?.status === 'firing') {
    await batch.forget(tx);
    await refresh(ctx, mirrors.receipts, tx, current, alert);
    return { outcome: 'refreshed', incidentId: current.incidentId };
  }
  // A person resolved this occurrence by hand; its repeats (same startsAt) must not page again.
  if (current && current.resolvedBy !== null && current.startsAt === alert.startsAt) {
    // Counted once the write commits: a write that is rolled back (or run again) counts nothing.
    tx.afterCommit(() => mirrors.receipts.note(current.id, now));
    return { outcome: 'ignored', incidentId: current.incidentId };
  }
  return fire(ctx, mirrors.suppressions, tx, batch, alert, current);
}
