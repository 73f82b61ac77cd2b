/** cancelled: a retry found the incident acknowledged or resolved, so the page was not sent. */
export type NotificationStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

/** One message in the outbox. */
export interface NotificationRow {
  id: number;
  incidentId: number | null;
  kind: string;
  channel: string;
  person: string | null;
  recipientName: string;
  address: string;
  idempotencyKey: string;
  status: NotificationStatus;
  attempts: number;
  dueAt: number;
  bundleKey: string | null;
  fallbackOf: number | null;
  providerId: string | null;
  mode: 'live' | 'log' | null;
  threadRef: string | null;
  errorKind: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

export type NewNotification = Pick<
  NotificationRow,
  'incidentId' | 'kind' | 'channel' | 'person' | 'recipientName' | 'address' | 'idempotencyKey' | 'dueAt' | 'bundleKey' | 'fallbackOf'
>;

/** Who a page or escalation went to, on what. */
export type PagedRecipient = Pick<NotificationRow, 'channel' | 'person' | 'recipientName' | 'address'>;

export interface NotificationAttempt {
  notificationId: number;
  at: number;
  outcome: 'delivered' | 'retry' | 'failed' | 'cancelled';
  errorKind: string | null;
  error: string | null;
  durationMs: number;
}

/** The outbox port: decisions are written by the engine, deliveries recorded by the dispatcher. */
export interface OutboxTx {
  /** Inserts unless the idempotency key exists (one event never pages twice); returns the id or null. */
  insertNotification(n: NewNotification, now: number): Promise<number | null>;
  /** insertNotification for many (one statement on PostgreSQL): each one's id or null, in the order given. */
  insertNotifications(ns: readonly NewNotification[], now: number): Promise<(number | null)[]>;
  updateNotification(id: number, patch: Partial<Omit<NotificationRow, 'id'>>): Promise<void>;
  addAttempt(a: NotificationAttempt): Promise<void>;
  /** Pending messages due by `now`, oldest first. */
  dueNotifications(now: number, limit: number): Promise<NotificationRow[]>;
  /** Pending messages of a bundle that are due by `now`. */
  bundleMembers(bundleKey: string, now: number): Promise<NotificationRow[]>;
  /** The first pending bundle message's due time, to join its window. */
  bundleDueAt(bundleKey: string): Promise<number | null>;
  /** The incident's pages and escalations (who was paged, on what), oldest first. */
  pagesOf(incidentId: number): Promise<NotificationRow[]>;
  /**
   * Who each incident's pages and escalations went to, on what, oldest first (pagesOf without the rest of each
   * row), in one read, by incident: an incident never paged is not in the map.
   */
  pagedRecipientsOfEach(incidentIds: readonly number[]): Promise<Map<number, PagedRecipient[]>>;
  /** The rendered message (JSON) of an outbox row that has no incident to render from: digests, reviews. */
  setNotificationBody(id: number, body: string): Promise<void>;
}

export interface OutboxReads {
  listNotifications(incidentId?: number, limit?: number): Promise<NotificationRow[]>;
  attemptsOf(notificationId: number): Promise<NotificationAttempt[]>;
  pendingNotificationCount(): Promise<number>;
  /** The incident most recently messaged at this address (phone number), for replies without an id. */
  lastIncidentForAddress(address: string): Promise<number | null>;
  /** The first chat message about an incident delivered to this address (its thread and the message to update). */
  firstChatMessage(incidentId: number, address: string): Promise<NotificationRow | null>;
  /** The incident whose chat thread starts with this message (Slack ts), for replies in the thread. */
  incidentForThread(threadRef: string): Promise<number | null>;
  /** The body stored with an outbox message (setNotificationBody), or null. */
  notificationBody(id: number): Promise<string | null>;
}
