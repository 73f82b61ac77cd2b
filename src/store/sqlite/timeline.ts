import { eventData, eventFromRow, eventValues, INSERT_EVENT_SQL } from '../rows/timeline.js';
import type { IncidentReads, IncidentTx, NewTimelineEvent } from '../types/incidents.js';
import { type Read, rowsOf, type Stmt } from './statements.js';
import type { DeferredRevisions, Revision } from './deferred-revisions.js';

/** An incident's timeline: its writes, and the change feed told which incident got an event of which kind. */
export function timelineTx(
  stmt: Stmt,
  changed: (incidentId: number, kind: string) => void,
  revisions: { later: DeferredRevisions; afterCommit(fn: () => void): void },
): Pick<IncidentTx, 'addEvent' | 'recordEvent' | 'reviseEvent' | 'latestNotes'> {
  const add = (e: NewTimelineEvent): number => {
    const info = stmt(INSERT_EVENT_SQL).run(...eventValues(e));
    changed(e.incidentId, e.kind);
    return Number(info.lastInsertRowid);
  };
  return {
    addEvent: (e) => Promise.resolve(add(e)),
    recordEvent: (e) => {
      add(e);
      return Promise.resolve();
    },
    // Written behind (deferred-revisions.ts), kept only once this write commits.
    // An id that names no event changes nothing: its revision is an UPDATE of no row, and no read overlays it.
    reviseEvent: (event, message, data) => {
      changed(event.incidentId, event.kind);
      const json = eventData(data);
      revisions.afterCommit(() => revisions.later.revised(event.id, message, json));
      return Promise.resolve();
    },
    latestNotes: (incidentId, limit) =>
      Promise.resolve(
        rowsOf(stmt, "SELECT * FROM timeline WHERE incident_id = ? AND kind IN ('note', 'acknowledged') ORDER BY id DESC LIMIT ?", eventFromRow, incidentId, limit),
      ),
  };
}

/** Stores revisions written behind, in one write. */
export function storeRevisions(stmt: Stmt, revisions: readonly [number, Revision][]): void {
  const update = stmt('UPDATE timeline SET message = ?, data = ? WHERE id = ?');
  for (const [id, r] of revisions) update.run(r.message, r.data, id);
}

export function timelineReads(stmt: Stmt, read: Read, later: DeferredRevisions): Pick<IncidentReads, 'timelineOf' | 'latestEvents' | 'latestEventOfEach'> {
  return {
    timelineOf: (incidentId) => read(() => later.overlayAll(rowsOf(stmt, 'SELECT * FROM timeline WHERE incident_id = ? ORDER BY id', eventFromRow, incidentId))),
    latestEventOfEach: (incidentIds, kind) =>
      read(() => {
        const rows = rowsOf(
          stmt,
          `SELECT t.* FROM timeline t JOIN (
             SELECT max(id) AS id FROM timeline WHERE kind = ? AND incident_id IN (SELECT value FROM json_each(?)) GROUP BY incident_id
           ) latest ON t.id = latest.id`,
          eventFromRow,
          kind,
          JSON.stringify(incidentIds),
        );
        return new Map(later.overlayAll(rows).map((e) => [e.incidentId, e]));
      }),
    latestEvents: (incidentId, kinds, limit) =>
      read(() =>
        later.overlayAll(
          rowsOf(
            stmt,
            'SELECT * FROM timeline WHERE incident_id = ? AND kind IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT ?',
            eventFromRow,
            incidentId,
            JSON.stringify(kinds),
            limit,
          ),
        ),
      ),
  };
}
