import { alertRows, alertStateRows, CURRENT_ALERT_STATE_SQL } from '../rows/alerts.js';
import type { AlertReads, AlertTx } from '../types/alerts.js';
import { insertRow, updateById, Where } from './dynamic-sql.js';
import { type Read, rowOf, rowsOf, type Stmt } from './statements.js';

const alertFromRow = alertRows.fromRow;

/** The alerts table's writes and the reads the engine makes inside a write (alert-state-cache.ts caches states). */
export function alertTx(stmt: Stmt): AlertTx {
  const many = (sql: string, ...args: unknown[]) => Promise.resolve(rowsOf(stmt, sql, alertFromRow, ...args));
  return {
    currentAlert: (fingerprint) =>
      Promise.resolve(rowOf(stmt, 'SELECT * FROM alerts WHERE fingerprint = ? ORDER BY id DESC LIMIT 1', alertFromRow, fingerprint)),
    // Each read is a few microseconds in-process, and the alert-state cache answers most: nothing to read ahead.
    prefetchAlertStates: () => Promise.resolve(),
    currentAlertState: (fingerprint) => Promise.resolve(rowOf(stmt, CURRENT_ALERT_STATE_SQL, alertStateRows.fromRow, fingerprint)),
    refreshAlert: (id, f) => {
      if (f.annotationsJson === undefined && f.valuesJson === undefined && f.severity === undefined) {
        // The common case (Prometheus moving endsAt forward): touch only the lifetime columns.
        stmt('UPDATE alerts SET ends_at = ?, expires_at = ?, last_received_at = ?, receive_count = receive_count + 1 WHERE id = ?').run(
          f.endsAt,
          f.expiresAt,
          f.lastReceivedAt,
          id,
        );
      } else {
        stmt(
          `UPDATE alerts SET ends_at = ?, expires_at = ?, last_received_at = ?, receive_count = receive_count + 1,
             annotations = coalesce(?, annotations), value_data = coalesce(?, value_data),
             severity = coalesce(?, severity), raw_severity = CASE WHEN ? IS NULL THEN raw_severity ELSE ? END
           WHERE id = ?`,
        ).run(f.endsAt, f.expiresAt, f.lastReceivedAt, f.annotationsJson ?? null, f.valuesJson ?? null, f.severity ?? null, f.severity ?? null, f.rawSeverity ?? null, id);
      }
      return Promise.resolve();
    },
    getAlert: (id) => Promise.resolve(rowOf(stmt, 'SELECT * FROM alerts WHERE id = ?', alertFromRow, id)),
    addReceipts: (receipts) => {
      const st = stmt('UPDATE alerts SET last_received_at = max(last_received_at, ?), receive_count = receive_count + ? WHERE id = ?');
      for (const r of receipts) st.run(r.at, r.count, r.id);
      return Promise.resolve();
    },
    insertAlert: (alert) => Promise.resolve(insertRow(stmt, 'alerts', alertRows.writable, alert)),
    addAlert: (alert) => {
      insertRow(stmt, 'alerts', alertRows.writable, alert);
      return Promise.resolve();
    },
    updateAlert: (id, patch) => Promise.resolve(updateById(stmt, 'alerts', alertRows.writable, id, patch)),
    firingAlertsOf: (incidentId) => many("SELECT * FROM alerts WHERE incident_id = ? AND status = 'firing' ORDER BY id", incidentId),
    dueExpiredAlerts: (now, limit) =>
      many("SELECT * FROM alerts WHERE status = 'firing' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?", now, limit),
    firingAlerts: (suppressed, afterId, limit) =>
      many(`SELECT * FROM alerts WHERE status = 'firing' AND suppressed_by IS ${suppressed ? 'NOT ' : ''}NULL AND id > ? ORDER BY id LIMIT ?`, afterId, limit),
  };
}

/** The alerts table's reads. */
export function alertReads(stmt: Stmt, read: Read): AlertReads {
  const many = (sql: string, ...args: unknown[]) => read(() => rowsOf(stmt, sql, alertFromRow, ...args));
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
