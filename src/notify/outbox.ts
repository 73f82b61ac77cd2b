import type { NewNotification, NotificationRow, Store, StoreTx } from '../store/types.js';
import type { Target } from './directory.js';
import type { MessageKind, Recipient, Rendered } from './types.js';

/**
 * The one writer of the outbox: pages, escalations, reminders, outcomes, runbook updates, fallbacks, digests and
 * reviews are all written here, inside the transaction of the change that caused them; the dispatcher delivers.
 */
export type OutboxTx = Pick<StoreTx, 'insertNotification' | 'setNotificationBody'>;

/** A message rendered when it is written (digests, reviews, runbook updates), stored with its outbox row as JSON. */
export type StoredMessage = Pick<Rendered, 'subject' | 'text'> & Partial<Pick<Rendered, 'html' | 'sms' | 'blocks'>>;

export interface OutboxMessage {
  kind: MessageKind;
  /** Null for a message about no incident (a digest). */
  incidentId: number | null;
  to: Target;
  /** Names the cause: a key already in the outbox writes nothing, so one event never pages twice. */
  idempotencyKey: string;
  dueAt: number;
  /** Messages with one bundle key go out together when the first of them is due. */
  bundleKey?: string | null;
  /** The failed page this one stands in for. */
  fallbackOf?: number | null;
  /** Without it, the message is rendered from its incident when it is sent. */
  body?: StoredMessage;
}

/** Writes one message; its id, or null when its idempotency key was already there. */
export async function writeToOutbox(tx: OutboxTx, m: OutboxMessage, now: number): Promise<number | null> {
  const id = await tx.insertNotification(rowOf(m), now);
  if (id !== null && m.body) await tx.setNotificationBody(id, JSON.stringify(m.body));
  return id;
}

/** Writes many messages in one go (one statement on PostgreSQL): each one's id or null, in the order given. */
export async function writeManyToOutbox(tx: Pick<StoreTx, 'insertNotifications' | 'setNotificationBody'>, ms: readonly OutboxMessage[], now: number): Promise<(number | null)[]> {
  const ids = await tx.insertNotifications(ms.map(rowOf), now);
  for (const [i, m] of ms.entries()) if (ids[i] !== null && m.body) await tx.setNotificationBody(ids[i]!, JSON.stringify(m.body));
  return ids;
}

function rowOf(m: OutboxMessage): NewNotification {
  return {
    incidentId: m.incidentId,
    kind: m.kind,
    channel: m.to.channel,
    person: m.to.recipient.person,
    recipientName: m.to.recipient.name,
    address: m.to.recipient.address,
    idempotencyKey: m.idempotencyKey,
    dueAt: m.dueAt,
    bundleKey: m.bundleKey ?? null,
    fallbackOf: m.fallbackOf ?? null,
  };
}

/** Who an outbox row goes to. */
export function recipientOf(n: Pick<NotificationRow, 'person' | 'recipientName' | 'address'>): Recipient {
  return { person: n.person, name: n.recipientName, address: n.address };
}

/** The message stored with a row, for every channel (a text says the subject where it has no text of its own), or null. */
export async function storedMessage(store: Pick<Store, 'notificationBody'>, id: number): Promise<Rendered | null> {
  const body = await store.notificationBody(id);
  if (body === null) return null;
  const m = JSON.parse(body) as StoredMessage;
  return { subject: m.subject, text: m.text, html: m.html ?? '', sms: m.sms ?? m.subject, speech: m.subject, ...(m.blocks ? { blocks: m.blocks } : {}) };
}
