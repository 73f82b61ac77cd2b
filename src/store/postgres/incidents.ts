import {
  countIncidentsQuery,
  countsBySeverity,
  countsByStatus,
  incidentFromRow,
  incidentRows,
  listIncidentsQuery,
  OPEN_COUNTS_SQL,
} from '../rows/incidents.js';
import type { IncidentReads, IncidentRow, IncidentTx } from '../types/incidents.js';
import { insertRow, updateById } from './dynamic-sql.js';
import type { Query } from './pool.js';

async function one(q: Query, sql: string, ...args: unknown[]): Promise<IncidentRow | undefined> {
  const [r] = await q(sql, args);
  return r ? incidentFromRow(r) : undefined;
}

/**
 * The incidents table's writes and reads inside a write; changed tells the change feed which incident a write
 * touches. Reads inside a write lock the incident (FOR UPDATE) so that another instance's write to it waits
 * rather than computing its counters from the same old row.
 */
export function incidentTx(q: Query, changed: (incidentId: number) => void): Omit<IncidentTx, 'addEvent' | 'reviseEvent' | 'latestNotes'> {
  return {
    getIncident: (id) => one(q, 'SELECT * FROM incidents WHERE id = ? FOR UPDATE', id),
    openIncidentByGroupKey: (groupKey) => one(q, "SELECT * FROM incidents WHERE group_key = ? AND status != 'resolved' ORDER BY id DESC LIMIT 1 FOR UPDATE", groupKey),
    // As SQLite orders it: NULL last when descending, ties newest first (its index on (group_key, resolved_at) ends in the rowid).
    lastResolvedIncidentByGroupKey: (groupKey) =>
      one(q, "SELECT * FROM incidents WHERE group_key = ? AND status = 'resolved' ORDER BY resolved_at DESC NULLS LAST, id DESC LIMIT 1 FOR UPDATE", groupKey),
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
      const { sql, args } = listIncidentsQuery(q);
      return many(sql, ...args);
    },
    countIncidents: async (q) => {
      const { sql, args } = countIncidentsQuery(q);
      return countsByStatus(await read(sql, args));
    },
    getIncident: (id) => one(read, 'SELECT * FROM incidents WHERE id = ?', id),
    incidentsByIds: (ids) => (ids.length === 0 ? Promise.resolve([]) : many('SELECT * FROM incidents WHERE id = ANY(?::bigint[]) ORDER BY id', [...ids])),
    openIncidentCounts: async () => countsBySeverity(await read(OPEN_COUNTS_SQL)),
  };
}
