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
import { type Read, rowOf, rowsOf, type Stmt } from './statements.js';

const OPEN_BY_GROUP_SQL = "SELECT * FROM incidents WHERE group_key = ? AND status != 'resolved' ORDER BY id DESC LIMIT 1";
const OPEN_BY_GROUPS_SQL = "SELECT * FROM incidents WHERE group_key IN (SELECT value FROM json_each(?)) AND status != 'resolved' ORDER BY id";

/** The incidents table's writes and reads inside a write; changed tells the change feed which incident a write touches. */
export function incidentTx(stmt: Stmt, changed: (incidentId: number) => void): Omit<IncidentTx, 'addEvent' | 'recordEvent' | 'reviseEvent' | 'latestNotes'> {
  const one = (sql: string, ...args: unknown[]) => Promise.resolve(rowOf(stmt, sql, incidentFromRow, ...args));
  return {
    getIncident: (id) => one('SELECT * FROM incidents WHERE id = ?', id),
    getIncidents: (ids) => Promise.resolve(rowsOf(stmt, 'SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id', incidentFromRow, JSON.stringify(ids))),
    openIncidentByGroupKey: (groupKey) => one(OPEN_BY_GROUP_SQL, groupKey),
    openIncidentsByGroupKeys: (groupKeys) => {
      // One statement for a storm's write (its group keys by the hundred), not one each; by id, so the newest wins.
      const found = new Map<string, IncidentRow>();
      if (groupKeys.length === 0) return Promise.resolve(found);
      for (const incident of rowsOf(stmt, OPEN_BY_GROUPS_SQL, incidentFromRow, JSON.stringify(groupKeys))) found.set(incident.groupKey, incident);
      return Promise.resolve(found);
    },
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
    updateIncidentCounts: (counts) => {
      const update = stmt('UPDATE incidents SET firing_count = ?, suppressed_count = ?, alert_count = ?, updated_at = ? WHERE id = ?');
      for (const c of counts) {
        changed(c.id);
        update.run(c.firingCount, c.suppressedCount, c.alertCount, c.updatedAt, c.id);
      }
      return Promise.resolve();
    },
    updateEscalationSteps: (steps) => {
      const update = stmt('UPDATE incidents SET escalation_tier = ?, escalation_round = ?, updated_at = ? WHERE id = ?');
      for (const s of steps) {
        changed(s.id);
        update.run(s.escalationTier, s.escalationRound, s.updatedAt, s.id);
      }
      return Promise.resolve();
    },
  };
}

/** The incidents table's reads: lists with filters and keyset paging, counts. */
export function incidentReads(stmt: Stmt, read: Read): Omit<IncidentReads, 'timelineOf' | 'latestEvents' | 'latestEventOfEach'> {
  const many = (sql: string, ...args: unknown[]) => read(() => rowsOf(stmt, sql, incidentFromRow, ...args));
  return {
    listIncidents: (q) => {
      const { sql, args } = listIncidentsQuery(q);
      return many(sql, ...args);
    },
    countIncidents: (q) => {
      const { sql, args } = countIncidentsQuery(q);
      return read(() => countsByStatus(stmt(sql).all(...args)));
    },
    getIncident: (id) => read(() => rowOf(stmt, 'SELECT * FROM incidents WHERE id = ?', incidentFromRow, id)),
    incidentsByIds: (ids) =>
      ids.length === 0 ? Promise.resolve([]) : many('SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id', JSON.stringify(ids)),
    openIncidentCounts: () => read(() => countsBySeverity(stmt(OPEN_COUNTS_SQL).all())),
  };
}
