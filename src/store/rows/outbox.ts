import { rowMapping } from '../row-mapping.js';
import type { NotificationAttempt, NotificationRow, PagedRecipient } from '../types/outbox.js';

export const notifications = rowMapping<NotificationRow>({
  id: 'id',
  incidentId: 'incident_id',
  kind: 'kind',
  channel: 'channel',
  person: 'person',
  recipientName: 'recipient_name',
  address: 'address',
  idempotencyKey: 'idempotency_key',
  status: 'status',
  attempts: 'attempts',
  dueAt: 'due_at',
  bundleKey: 'bundle_key',
  fallbackOf: 'fallback_of',
  providerId: 'provider_id',
  mode: 'mode',
  threadRef: 'thread_ref',
  errorKind: 'error_kind',
  lastError: 'last_error',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  deliveredAt: 'delivered_at',
});
export const notificationFromRow = notifications.fromRow;

export const attemptFromRow = rowMapping<NotificationAttempt>({
  notificationId: 'notification_id',
  at: 'at',
  outcome: 'outcome',
  errorKind: 'error_kind',
  error: 'error',
  durationMs: 'duration_ms',
}).fromRow;

/** A paged recipient as both stores read it for many incidents: the incident's id with it (PostgreSQL's bigint as text). */
export type PagedRecipientRow = PagedRecipient & { incidentId: number | string };

/** The rows grouped by incident, each incident's in the order read. */
export function recipientsByIncident(rows: readonly PagedRecipientRow[]): Map<number, PagedRecipient[]> {
  const out = new Map<number, PagedRecipient[]>();
  for (const r of rows) {
    const id = Number(r.incidentId);
    let list = out.get(id);
    if (!list) out.set(id, (list = []));
    list.push({ channel: r.channel, person: r.person, recipientName: r.recipientName, address: r.address });
  }
  return out;
}
