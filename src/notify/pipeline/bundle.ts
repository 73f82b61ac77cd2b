import type { NotificationRow, Store } from '../../store/types.js';
import { summaryOf } from '../incident-summary.js';
import type { IncidentSummary } from '../types.js';

/** One message of a send and its incident as stored now (null for a message about no incident). */
export interface Member {
  row: NotificationRow;
  incident: IncidentSummary | null;
}

/**
 * One send per bundle: its first due member stands for it, the others are left out of this pass. Passes never
 * overlap (the dispatcher sees to that), so a bundle goes out once.
 */
export function oneSendPerBundle(due: NotificationRow[]): NotificationRow[] {
  const seen = new Set<string>();
  return due.filter((n) => {
    if (n.bundleKey === null) return true;
    if (seen.has(n.bundleKey)) return false;
    seen.add(n.bundleKey);
    return true;
  });
}

/** Every message a claimed row sends: the due members of its bundle, or the row alone, each with its incident. */
export async function membersOf(store: Store, first: NotificationRow, now: number): Promise<Member[]> {
  const rows = first.bundleKey ? await store.write((tx) => tx.bundleMembers(first.bundleKey!, now)) : [first];
  const incidents = await Promise.all(rows.map((m) => (m.incidentId === null ? null : summaryOf(store, m.incidentId))));
  return rows.map((row, i) => ({ row, incident: incidents[i] ?? null }));
}
