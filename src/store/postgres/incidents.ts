import { severities, type Severity } from '../../alerts/severity.js';
import { incidentFilters, incidentFromRow, incidentRows, SEVERITY_RANK } from '../rows/incidents.js';
import type { IncidentReads, IncidentRow, IncidentStatus, IncidentTx } from '../types/incidents.js';
import { insertRow, updateById } from './dynamic-sql.js';
import type { Query } from './pool.js';

async function one(q: Query, sql: string, ...args: unknown[]): Promise<IncidentRow | undefined> {
  const [r] = await q(sql, args);
  return r ? incidentFromRow(r) : undefined;
}

/** The incidents table's writes and reads inside a write; changed tells the change feed which incident a write touches. */
export function incidentTx(q: Query, changed: (incidentId: number) => void): Omit<IncidentTx, 'addEvent' | 'reviseEvent' | 'latestNotes'> {
  return {
    getIncident: (id) => one(q, 'SELECT * FROM incidents WHERE id = ?', id),
    openIncidentByGroupKey: (groupKey) => one(q, "SELECT * FROM incidents WHERE group_key = ? AND status != 'resolved' ORDER BY id DESC LIMIT 1", groupKey),
    // As SQLite orders it: NULL last when descending, ties newest first (its index on (group_key, resolved_at) ends in the rowid).
    lastResolvedIncidentByGroupKey: (groupKey) =>
      one(q, "SELECT * FROM incidents WHERE group_key = ? AND status = 'resolved' ORDER BY resolved_at DESC NULLS LAST, id DESC LIMIT 1", groupKey),
    insertIncident: async (incident) => {
      const id = await insertRow(q, 'incidents', incidentRows.writable, incident);
      changed(id);
      return { ...incident, id };
    },
    updateIncident: (id, patch) => {
      changed(id);
      return updateById(q, 'incidents', incidentRows.writable, id, patch);
    },
  };
}

/** The incidents table's reads: lists with filters and keyset paging, counts. */
export function incidentReads(read: Query): Omit<IncidentReads, 'timelineOf' | 'latestEvents' | 'latestEventOfEach'> {
  const many = async (sql: string, ...args: unknown[]): Promise<IncidentRow[]> => (await read(sql, args)).map(incidentFromRow);
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
    countIncidents: async (q) => {
      const where = incidentFilters(q);
      const out: Record<IncidentStatus, number> = { triggered: 0, acknowledged: 0, resolved: 0 };
      const rows = await read(`SELECT status, count(*) AS n FROM incidents ${where} GROUP BY status`, where.args);
      for (const r of rows as { status: IncidentStatus; n: number }[]) out[r.status] = r.n;
      return out;
    },
    getIncident: (id) => one(read, 'SELECT * FROM incidents WHERE id = ?', id),
    incidentsByIds: (ids) => (ids.length === 0 ? Promise.resolve([]) : many('SELECT * FROM incidents WHERE id = ANY(?::bigint[]) ORDER BY id', [...ids])),
    openIncidentCounts: async () => {
      const counts = Object.fromEntries(severities.map((s) => [s, 0])) as Record<Severity, number>;
      const rows = await read("SELECT severity, count(*) AS n FROM incidents WHERE status != 'resolved' GROUP BY severity");
      for (const r of rows as { severity: Severity; n: number }[]) counts[r.severity] = r.n;
      return counts;
    },
  };
}
