import { attemptFromRow, notificationFromRow, notifications, type PagedRecipientRow, recipientsByIncident } from '../rows/outbox.js';
import type { NewNotification, OutboxReads, OutboxTx } from '../types/outbox.js';
import { updateById } from './dynamic-sql.js';
import { type Read, rowOf, rowsOf, type Stmt } from './statements.js';

/** The outbox's writes (notifications and their attempts) and the dispatcher's reads inside a write. */
export function outboxTx(stmt: Stmt): OutboxTx {
  const many = (sql: string, ...args: unknown[]) => Promise.resolve(rowsOf(stmt, sql, notificationFromRow, ...args));
  const insert = (n: NewNotification, now: number) => {
    const info = stmt(
      `INSERT OR IGNORE INTO notifications (incident_id, kind, channel, person, recipient_name, address, idempotency_key,
         status, attempts, due_at, bundle_key, fallback_of, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)`,
    ).run(n.incidentId, n.kind, n.channel, n.person, n.recipientName, n.address, n.idempotencyKey, n.dueAt, n.bundleKey, n.fallbackOf, now, now);
    return info.changes > 0 ? Number(info.lastInsertRowid) : null;
  };
  return {
    insertNotification: (n, now) => Promise.resolve(insert(n, now)),
    insertNotifications: (ns, now) => Promise.resolve(ns.map((n) => insert(n, now))),
    updateNotification: (id, patch) => Promise.resolve(updateById(stmt, 'notifications', notifications.writable, id, patch)),
    addAttempt: (a) => {
      stmt('INSERT INTO notification_attempts (notification_id, at, outcome, error_kind, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)').run(
        a.notificationId,
        a.at,
        a.outcome,
        a.errorKind,
        a.error,
        a.durationMs,
      );
      return Promise.resolve();
    },
    dueNotifications: (now, limit) => many("SELECT * FROM notifications WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?", now, limit),
    bundleMembers: (key, now) => many("SELECT * FROM notifications WHERE bundle_key = ? AND status = 'pending' AND due_at <= ? ORDER BY id", key, now),
    bundleDueAt: (key) => {
      const r = stmt("SELECT min(due_at) AS due FROM notifications WHERE bundle_key = ? AND status = 'pending'").get(key) as { due: number | null } | undefined;
      return Promise.resolve(r?.due ?? null);
    },
    pagesOf: (incidentId) => many("SELECT * FROM notifications WHERE incident_id = ? AND kind IN ('page', 'escalation') ORDER BY id", incidentId),
    pagedRecipientsOfEach: (incidentIds) =>
      Promise.resolve(
        recipientsByIncident(
          stmt(
            "SELECT incident_id AS incidentId, channel, person, recipient_name AS recipientName, address FROM notifications WHERE incident_id IN (SELECT value FROM json_each(?)) AND kind IN ('page', 'escalation') ORDER BY id",
          ).all(JSON.stringify(incidentIds)) as PagedRecipientRow[],
        ),
      ),
    setNotificationBody: (id, body) => {
      stmt('UPDATE notifications SET body = ? WHERE id = ?').run(body, id);
      return Promise.resolve();
    },
  };
}

/** The outbox's reads: the API's lists, the health figures, and how replies find their incident. */
export function outboxReads(stmt: Stmt, read: Read): OutboxReads {
  const many = (sql: string, ...args: unknown[]) => read(() => rowsOf(stmt, sql, notificationFromRow, ...args));
  /** The incident_id column of the first row, or null. */
  const incidentOf = (sql: string, ...args: unknown[]) =>
    read(() => (stmt(sql).get(...args) as { incident_id: number } | undefined)?.incident_id ?? null);
  return {
    listNotifications: (incidentId, limit = 500) =>
      incidentId === undefined
        ? many('SELECT * FROM notifications ORDER BY id DESC LIMIT ?', limit)
        : many('SELECT * FROM notifications WHERE incident_id = ? ORDER BY id LIMIT ?', incidentId, limit),
    attemptsOf: (notificationId) =>
      read(() => rowsOf(stmt, 'SELECT * FROM notification_attempts WHERE notification_id = ? ORDER BY id', attemptFromRow, notificationId)),
    pendingNotificationCount: () => read(() => (stmt("SELECT count(*) AS n FROM notifications WHERE status = 'pending'").get() as { n: number }).n),
    lastIncidentForAddress: (address) =>
      incidentOf('SELECT incident_id FROM notifications WHERE address = ? AND incident_id IS NOT NULL ORDER BY id DESC LIMIT 1', address),
    firstChatMessage: (incidentId, address) =>
      read(
        () =>
          rowOf(
            stmt,
            "SELECT * FROM notifications WHERE incident_id = ? AND channel = 'chat' AND address = ? AND status = 'delivered' AND provider_id IS NOT NULL ORDER BY id LIMIT 1",
            notificationFromRow,
            incidentId,
            address,
          ) ?? null,
      ),
    incidentForThread: (threadRef) =>
      incidentOf("SELECT incident_id FROM notifications WHERE thread_ref = ? AND channel = 'chat' AND incident_id IS NOT NULL ORDER BY id DESC LIMIT 1", threadRef),
    notificationBody: (id) => read(() => (stmt('SELECT body FROM notifications WHERE id = ?').get(id) as { body: string | null } | undefined)?.body ?? null),
  };
}
