import type { NotificationRow, Store } from '../../store/types.js';

/** Most messages one pass takes; the rest are still due at the next pass. */
export const CLAIM_BATCH = 200;

/** The first stage: the outbox rows due at `now`. */
export function claimDue(store: Pick<Store, 'write'>, now: number): Promise<NotificationRow[]> {
  return store.write((tx) => tx.dueNotifications(now, CLAIM_BATCH));
}
