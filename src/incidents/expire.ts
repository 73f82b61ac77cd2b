import { alertLabel } from '../rules/grouping.js';
import type { StoreTx } from '../store/types.js';
import type { EngineOptions } from './engine-options.js';
import { resolveAlert } from './resolve-alert.js';
import type { SuppressionPass } from './suppression-pass.js';
import { vigil } from './timeline.js';

/** Resolves firing alerts whose lifetime ended without an update (Alertmanager's resolve_timeout). */
export async function expireDue(ctx: EngineOptions, suppressions: SuppressionPass, tx: StoreTx, now: number, limit: number): Promise<number> {
  const due = await tx.dueExpiredAlerts(now, limit);
  for (const alert of due) {
    await resolveAlert(ctx, suppressions, tx, alert, {
      ...vigil('scheduler'),
      at: now,
      endsAt: alert.expiresAt ?? now,
      kind: 'alert_expired',
      message: `${alertLabel(alert.labels)} resolved: no update since ${new Date(alert.lastReceivedAt).toISOString()}`,
    });
  }
  return due.length;
}
