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
export function incidentTx(q: Query, changed: (incidentId: number) => void): Omit<IncidentTx, 'addEvent' | 'recordEvent' | 'reviseEvent' | 'latestNotes'> {
  return {
    getIncident: (id) => one(q, 'SELECT * FROM incidents WHERE id = ? FOR UPDATE', id),
    getIncidents: async (ids) =>
      ids.length === 0 ? [] : (await q('SELECT * FROM incidents WHERE id = ANY(?::bigint[]) ORDER BY id FOR UPDATE', [[...ids]])).map(incidentFromRow),
    openIncidentByGroupKey: (groupKey) => one(q, "SELECT * FROM incidents WHERE group_key = ? AND status != 'resolved' ORDER BY id DESC LIMIT 1 FOR UPDATE", groupKey),
    openIncidentsByGroupKeys: async (groupKeys) => {
      const found = new Map<string, IncidentRow>();
      if (groupKeys.length === 0) return found;
      // The newest open one per key, locked in id order (as another instance's batch locks them); the status is
      // asked again of the locked row, which another instance may have resolved meanwhile.
      const rows = await q(
        `SELECT * FROM incidents WHERE status != 'resolved' AND id IN (
           SELECT max(id) FROM incidents WHERE group_key = ANY(?::text[]) AND status != 'resolved' GROUP BY group_key
         ) ORDER BY id FOR UPDATE`,
        [groupKeys],
      );
      for (const r of rows) found.set(r.group_key as string, incidentFromRow(r));
      return found;
    },
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
    updateIncidentCounts: async (counts) => {
      if (counts.length === 0) return;
      // Ids in ascending order, so that concurrent instances lock alike.
      const sorted = [...counts].sort((a, b) => a.id - b.id);
      for (const c of sorted) changed(c.id);
      await q(
        `UPDATE incidents SET firing_count = r.firing, suppressed_count = r.suppressed, alert_count = r.alerts, updated_at = r.at
           FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) AS r(id, firing, suppressed, alerts, at) WHERE incidents.id = r.id`,
        [sorted.map((c) => c.id), sorted.map((c) => c.firingCount), sorted.map((c) => c.suppressedCount), sorted.map((c) => c.alertCount), sorted.map((c) => c.updatedAt)],
      );
    },
    updateEscalationSteps: async (steps) => {
      if (steps.length === 0) return;
      const sorted = [...steps].sort((a, b) => a.id - b.id);
      for (const s of sorted) changed(s.id);
      await q(
        `UPDATE incidents SET escalation_tier = r.tier, escalation_round = r.round, updated_at = r.at
           FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) AS r(id, tier, round, at) WHERE incidents.id = r.id`,
        [sorted.map((s) => s.id), sorted.map((s) => s.escalationTier), sorted.map((s) => s.escalationRound), sorted.map((s) => s.updatedAt)],
      );
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
