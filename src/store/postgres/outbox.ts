import { attemptFromRow, notificationFromRow, notifications, type PagedRecipientRow, recipientsByIncident } from '../rows/outbox.js';
import type { NotificationRow, OutboxReads, OutboxTx } from '../types/outbox.js';
import { updateByIdSql } from '../dynamic-sql.js';
import { CLAIMABLE, LEASE_RELEASE, LEASE_SET, leaseArgs, type Lease } from './lease.js';
import type { Query } from './pool.js';

const byDue = (a: NotificationRow, b: NotificationRow) => a.dueAt - b.dueAt || a.id - b.id;

/**
 * The outbox's writes (notifications and their attempts) and the dispatcher's reads inside a write. The due
 * messages a dispatcher reads are claimed for this instance under a lease, so two instances never send the
 * same message; recording the attempt releases it.
 */
export function outboxTx(q: Query, lease: Lease): OutboxTx {
  const many = async (sql: string, ...args: unknown[]) => (await q(sql, args)).map(notificationFromRow);
  /** Claims the rows the subquery selects (skipping rows another transaction holds), oldest due first. */
  const claim = async (select: string, ...args: unknown[]) =>
    (await many(`UPDATE notifications SET ${LEASE_SET} WHERE id IN (${select} FOR UPDATE SKIP LOCKED) RETURNING *`, ...leaseArgs(lease), ...args)).sort(byDue);
  return {
    insertNotifications: async (ns, now) => {
      if (ns.length === 0) return [];
      // One statement for all; a key already there (or twice in the list) inserts nothing, as one at a time would.
      const rows = await q(
        `INSERT INTO notifications (incident_id, kind, channel, person, recipient_name, address, idempotency_key, due_at, bundle_key, fallback_of,
           status, attempts, created_at, updated_at)
         SELECT *, 'pending', 0, ?::bigint, ?::bigint FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[])
         ON CONFLICT DO NOTHING RETURNING id, idempotency_key`,
        [
          now,
          now,
          ...(['incidentId', 'kind', 'channel', 'person', 'recipientName', 'address', 'idempotencyKey', 'dueAt', 'bundleKey', 'fallbackOf'] as const).map((f) => ns.map((n) => n[f])),
        ],
      );
      const ids = new Map(rows.map((r) => [r.idempotency_key as string, Number(r.id)]));
      // A key given twice is inserted once: the first of them gets the id.
      return ns.map((n) => {
        const id = ids.get(n.idempotencyKey);
        ids.delete(n.idempotencyKey);
        return id ?? null;
      });
    },
    insertNotification: async (n, now) => {
      const [r] = await q(
        `INSERT INTO notifications (incident_id, kind, channel, person, recipient_name, address, idempotency_key,
           status, attempts, due_at, bundle_key, fallback_of, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING RETURNING id`,
        [n.incidentId, n.kind, n.channel, n.person, n.recipientName, n.address, n.idempotencyKey, n.dueAt, n.bundleKey, n.fallbackOf, now, now],
      );
      return r ? Number(r.id) : null;
    },
    updateNotification: async (id, patch) => {
      // The dispatcher recorded what became of the message: the claim is over (a retry is claimed again when due).
      // Only a pending message this instance holds (or nobody does): one another instance took over after this
      // one's lease ran out is that one's to record, and a late failure here must not make it pending again.
      const update = updateByIdSql('notifications', notifications.writable, id, patch, {
        set: LEASE_RELEASE,
        where: "status = 'pending' AND (lease_owner IS NULL OR lease_owner = ?)",
        args: [lease.owner],
      });
      if (update) await q(update.sql, update.args);
    },
    addAttempt: async (a) => {
      await q('INSERT INTO notification_attempts (notification_id, at, outcome, error_kind, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)', [
        a.notificationId,
        a.at,
        a.outcome,
        a.errorKind,
        a.error,
        a.durationMs,
      ]);
    },
    dueNotifications: (now, limit) =>
      claim(`SELECT id FROM notifications WHERE status = 'pending' AND due_at <= ? AND ${CLAIMABLE} ORDER BY due_at, id LIMIT ?`, now, lease.owner, limit),
    // A member another instance claimed is its to send.
    bundleMembers: async (key, now) =>
      (await claim(`SELECT id FROM notifications WHERE bundle_key = ? AND status = 'pending' AND due_at <= ? AND ${CLAIMABLE}`, key, now, lease.owner)).sort(
        (a, b) => a.id - b.id,
      ),
    bundleDueAt: async (key) => {
      const [r] = await q("SELECT min(due_at) AS due FROM notifications WHERE bundle_key = ? AND status = 'pending'", [key]);
      return (r?.due as number | null | undefined) ?? null;
    },
    pagesOf: (incidentId) => many("SELECT * FROM notifications WHERE incident_id = ? AND kind IN ('page', 'escalation') ORDER BY id", incidentId),
    // Quoted aliases: PostgreSQL folds unquoted names to lower case.
    pagedRecipientsOfEach: async (incidentIds) =>
      recipientsByIncident(
        incidentIds.length === 0
          ? []
          : ((await q(
              `SELECT incident_id AS "incidentId", channel, person, recipient_name AS "recipientName", address FROM notifications
               WHERE incident_id = ANY(?::bigint[]) AND kind IN ('page', 'escalation') ORDER BY id`,
              [[...incidentIds]],
            )) as PagedRecipientRow[]),
      ),
    setNotificationBody: async (id, body) => {
      await q('UPDATE notifications SET body = ? WHERE id = ?', [body, id]);
    },
  };
}

/** The outbox's reads: the API's lists, the health figures, and how replies find their incident. */
export function outboxReads(read: Query): OutboxReads {
  const many = async (sql: string, ...args: unknown[]) => (await read(sql, args)).map(notificationFromRow);
  /** The incident_id column of the first row, or null. */
  const incidentOf = async (sql: string, ...args: unknown[]) => {
    const [r] = await read(sql, args);
    return (r?.incident_id as number | undefined) ?? null;
  };
  return {
    listNotifications: (incidentId, limit = 500) =>
      incidentId === undefined
        ? many('SELECT * FROM notifications ORDER BY id DESC LIMIT ?', limit)
        : many('SELECT * FROM notifications WHERE incident_id = ? ORDER BY id LIMIT ?', incidentId, limit),
    attemptsOf: async (notificationId) => (await read('SELECT * FROM notification_attempts WHERE notification_id = ? ORDER BY id', [notificationId])).map(attemptFromRow),
    pendingNotificationCount: async () => {
      const [r] = await read("SELECT count(*) AS n FROM notifications WHERE status = 'pending'");
      return r!.n as number;
    },
    lastIncidentForAddress: (address) =>
      incidentOf('SELECT incident_id FROM notifications WHERE address = ? AND incident_id IS NOT NULL ORDER BY id DESC LIMIT 1', address),
    firstChatMessage: async (incidentId, address) =>
      (
        await many(
          "SELECT * FROM notifications WHERE incident_id = ? AND channel = 'chat' AND address = ? AND status = 'delivered' AND provider_id IS NOT NULL ORDER BY id LIMIT 1",
          incidentId,
          address,
        )
      )[0] ?? null,
    incidentForThread: (threadRef) =>
      incidentOf("SELECT incident_id FROM notifications WHERE thread_ref = ? AND channel = 'chat' AND incident_id IS NOT NULL ORDER BY id DESC LIMIT 1", threadRef),
    notificationBody: async (id) => {
      const [r] = await read('SELECT body FROM notifications WHERE id = ?', [id]);
      return (r?.body as string | null | undefined) ?? null;
    },
  };
}
