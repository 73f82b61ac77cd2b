import { severities, type Severity } from '../../alerts/severity.js';
import { incidentFilters, incidentFromRow, incidentRows, SEVERITY_RANK } from '../rows/incidents.js';
import type { IncidentReads, IncidentStatus, IncidentTx } from '../types/incidents.js';
import { insertRow, updateById } from './dynamic-sql.js';
import { type Read, rowOf, rowsOf, type Stmt } from './statements.js';

/** The incidents table's writes and reads inside a write; changed tells the change feed which incident a write touches. */
export function incidentTx(stmt: Stmt, changed: (incidentId: number) => void): Omit<IncidentTx, 'addEvent' | 'reviseEvent' | 'latestNotes'> {
  const one = (sql: string, ...args: unknown[]) => Promise.resolve(rowOf(stmt, sql, incidentFromRow, ...args));
  return {
    getIncident: (id) => one('SELECT * FROM incidents WHERE id = ?', id),
    openIncidentByGroupKey: (groupKey) => one("SELECT * FROM incidents WHERE group_key = ? AND status != 'resolved' ORDER BY id DESC LIMIT 1", groupKey),
    lastResolvedIncidentByGroupKey: (groupKey) =>
      one("SELECT * FROM incidents WHERE group_key = ? AND status = 'resolved' ORDER BY resolved_at DESC LIMIT 1", groupKey),
    insertIncident: (incident) => {
      const id = insertRow(stmt, 'incidents', incidentRows.writable, incident);
      changed(id);
      return Promise.resolve({ ...incident, id });
    },
    updateIncident: (id, patch) => {
      changed(id);
      return Promise.resolve(updateById(stmt, 'incidents', incidentRows.writable, id, patch));
    },
  };
}

/** The incidents table's reads: lists with filters and keyset paging, counts. */
export function incidentReads(stmt: Stmt, read: Read): Omit<IncidentReads, 'timelineOf' | 'latestEvents' | 'latestEventOfEach'> {
  const many = (sql: string, ...args: unknown[]) => read(() => rowsOf(stmt, sql, incidentFromRow, ...args));
  return {
    listIncidents: (q) => {
      const where = incidentFilters(q);
      if (q.status === 'open') where.add("status != 'resolved'");
      else if (q.status) where.equal('status', q.status);
      const urgency = q.order === 'urgency';
      // Keyset paging: in (severity rank, created_at, id) order, or newest first by id.
      if (q.after && urgency) where.add(`(${SEVERITY_RANK}, created_at, id) > (?, ?, ?)`, q.after.severityRank ?? 0, q.after.createdAt ?? 0, q.after.id);
      else if (q.after) where.add('id < ?', q.after.id);
      const order = urgency ? `${SEVERITY_RANK}, created_at, id` : 'id DESC';
      return many(`SELECT * FROM incidents ${where} ORDER BY ${order} LIMIT ?`, ...where.args, q.limit);
    },
    countIncidents: (q) => {
      const where = incidentFilters(q);
      const sql = `SELECT status, count(*) AS n FROM incidents ${where} GROUP BY status`;
      return read(() => {
        const out: Record<IncidentStatus, number> = { triggered: 0, acknowledged: 0, resolved: 0 };
        for (const r of stmt(sql).all(...where.args) as { status: IncidentStatus; n: number }[]) out[r.status] = r.n;
        return out;
      });
    },
    getIncident: (id) => read(() => rowOf(stmt, 'SELECT * FROM incidents WHERE id = ?', incidentFromRow, id)),
    incidentsByIds: (ids) =>
      ids.length === 0 ? Promise.resolve([]) : many('SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id', JSON.stringify(ids)),
    openIncidentCounts: () =>
      read(() => {
        const counts = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
        const rows = stmt("SELECT severity, count(*) AS n FROM incidents WHERE status != 'resolved' GROUP BY severity").all() as { severity: Severity; n: number }[];
        for (const r of rows) counts[r.severity] = r.n;
        return counts;
      }),
  };
}
