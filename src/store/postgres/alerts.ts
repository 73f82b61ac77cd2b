import { alertRows, alertStateRows, CURRENT_ALERT_STATE_SQL, CURRENT_ALERT_STATES_SQL } from '../rows/alerts.js';
import type { AlertReads, AlertRow, AlertState, AlertTx, NewAlert } from '../types/alerts.js';
import { insertRow, updateById, Where } from './dynamic-sql.js';
import type { DeferredInserts } from './deferred-inserts.js';
import type { DeferredRefreshes } from './deferred-refreshes.js';
import type { Query } from './pool.js';

const alertFromRow = alertRows.fromRow;

/**
 * The alerts table's writes and the reads the engine makes inside a write. Unlike SQLite's, alert states are
 * always read from the database: other instances may have changed them. A whole row read inside a write is
 * locked (FOR UPDATE): the engine decides from it and writes back, and another instance must wait for that,
 * not decide from the same old row. The repeat path's state read is not: most repeats change nothing, and a
 * lock would make each of those writes wait for a WAL flush; what it leads to writing is safe without one (a
 * resolve locks the row and looks again, a second firing row is refused by the unique index). Due expiries
 * skip rows another instance is resolving.
 */
export function alertTx(q: Query, refreshes: DeferredRefreshes, inserts: DeferredInserts<NewAlert>): AlertTx {
  const many = async (sql: string, ...args: unknown[]): Promise<AlertRow[]> => (await q(sql, args)).map(alertFromRow);
  const one = async (sql: string, ...args: unknown[]): Promise<AlertRow | undefined> => {
    const [r] = await q(sql, args);
    return r ? alertFromRow(r) : undefined;
  };
  // States read ahead for this write (null: no row), dropped as soon as the write changes the alert.
  const states = new Map<string, AlertState | null>();
  const fingerprintOf = new Map<number, string>();
  const forget = (fingerprint: string) => {
    const state = states.get(fingerprint);
    if (state) fingerprintOf.delete(state.id);
    states.delete(fingerprint);
  };
  const forgetId = (id: number) => {
    const fingerprint = fingerprintOf.get(id);
    if (fingerprint !== undefined) forget(fingerprint);
  };
  return {
    currentAlert: (fingerprint) => one('SELECT * FROM alerts WHERE fingerprint = ? ORDER BY id DESC LIMIT 1 FOR UPDATE', fingerprint),
    prefetchAlertStates: async (fingerprints) => {
      const wanted = [...new Set(fingerprints)].filter((f) => !states.has(f));
      if (wanted.length === 0) return;
      for (const f of wanted) states.set(f, null);
      for (const r of await q(CURRENT_ALERT_STATES_SQL, [wanted])) {
        const state = alertStateRows.fromRow(r);
        states.set(r.fingerprint as string, state);
        fingerprintOf.set(state.id, r.fingerprint as string);
      }
    },
    currentAlertState: async (fingerprint) => {
      const known = states.get(fingerprint);
      if (known !== undefined) return known ?? undefined;
      const [r] = await q(CURRENT_ALERT_STATE_SQL, [fingerprint]);
      return r ? alertStateRows.fromRow(r) : undefined;
    },
    refreshAlert: async (id, f) => {
      if (f.annotationsJson === undefined && f.valuesJson === undefined && f.severity === undefined) {
        // The common case (Prometheus moving endsAt forward): only the lifetime columns, sent with the batch's
        // others; a state read ahead is kept in step.
        refreshes.add(id, f.endsAt, f.expiresAt, f.lastReceivedAt);
        const fingerprint = fingerprintOf.get(id);
        const state = fingerprint === undefined ? undefined : states.get(fingerprint);
        if (state) states.set(fingerprint!, { ...state, endsAt: f.endsAt, expiresAt: f.expiresAt });
      } else {
        forgetId(id);
        // Typed parameters: PostgreSQL cannot infer the type of one that is only compared with NULL.
        await q(
          `UPDATE alerts SET ends_at = ?, expires_at = ?, last_received_at = ?, receive_count = receive_count + 1,
             annotations = coalesce(?::text, annotations), value_data = coalesce(?::text, value_data),
             severity = coalesce(?::text, severity), raw_severity = CASE WHEN ?::text IS NULL THEN raw_severity ELSE ?::text END
           WHERE id = ?`,
          [f.endsAt, f.expiresAt, f.lastReceivedAt, f.annotationsJson ?? null, f.valuesJson ?? null, f.severity ?? null, f.severity ?? null, f.rawSeverity ?? null, id],
        );
      }
    },
    getAlert: (id) => one('SELECT * FROM alerts WHERE id = ? FOR UPDATE', id),
    addReceipts: async (receipts) => {
      if (receipts.length === 0) return;
      // One statement for the batch: repeats of an alert are merged first (latest time, summed counts), which
      // is what applying them one by one gives; ids in ascending order so concurrent batches lock alike.
      const merged = new Map<number, { at: number; count: number }>();
      for (const r of receipts) {
        const m = merged.get(r.id);
        if (m) {
          m.at = Math.max(m.at, r.at);
          m.count += r.count;
        } else merged.set(r.id, { at: r.at, count: r.count });
      }
      const ids = [...merged.keys()].sort((a, b) => a - b);
      await q(
        `UPDATE alerts SET last_received_at = GREATEST(alerts.last_received_at, r.at), receive_count = alerts.receive_count + r.count
           FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS r(id, at, count) WHERE alerts.id = r.id`,
        [ids, ids.map((id) => merged.get(id)!.at), ids.map((id) => merged.get(id)!.count)],
      );
    },
    insertAlert: (alert) => {
      forget(alert.fingerprint);
      return insertRow(q, 'alerts', alertRows.writable, alert);
    },
    addAlert: (alert) => {
      forget(alert.fingerprint);
      inserts.add(alert);
      return Promise.resolve();
    },
    updateAlert: (id, patch) => {
      forgetId(id);
      return updateById(q, 'alerts', alertRows.writable, id, patch);
    },
    firingAlertsOf: (incidentId) => many("SELECT * FROM alerts WHERE incident_id = ? AND status = 'firing' ORDER BY id", incidentId),
    // Ties in id order, as SQLite's index on expires_at gives them.
    dueExpiredAlerts: (now, limit) =>
      many("SELECT * FROM alerts WHERE status = 'firing' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at, id LIMIT ? FOR UPDATE SKIP LOCKED", now, limit),
    firingAlerts: (suppressed, afterId, limit) =>
      many(`SELECT * FROM alerts WHERE status = 'firing' AND suppressed_by IS ${suppressed ? 'NOT ' : ''}NULL AND id > ? ORDER BY id LIMIT ?`, afterId, limit),
  };
}

/** The alerts table's reads. */
export function alertReads(read: Query): AlertReads {
  const many = async (sql: string, ...args: unknown[]): Promise<AlertRow[]> => (await read(sql, args)).map(alertFromRow);
  return {
    alertsOf: (incidentId) => many('SELECT * FROM alerts WHERE incident_id = ? ORDER BY id', incidentId),
    listAlerts: (q) => {
      const where = new Where().equal('status', q.status || undefined).equal('incident_id', q.incidentId);
      if (q.before !== undefined) where.add('id < ?', q.before);
      return many(`SELECT * FROM alerts ${where} ORDER BY id DESC LIMIT ?`, ...where.args, q.limit);
    },
    allFiringAlerts: () => many("SELECT * FROM alerts WHERE status = 'firing' ORDER BY id"),
  };
}
