import { setImmediate as nextTurn } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { Severity } from '../../alerts/severity.js';
import type { IncidentRow, ReportRows } from '../types.js';
import { eventFromRow, incidentFromRow, notificationFromRow } from './rows.js';

type Stmt = (sql: string) => Database.Statement;
/** Runs a synchronous read with the store's checks and error classification. */
type Read = <T>(fn: () => T) => Promise<T>;
type Raw = Record<string, unknown>;

/**
 * A report's rows, a chunk of incidents at a time. better-sqlite3 blocks the event loop while a query
 * runs, so no query here reads more than a chunk (or a scan page) of rows, and the event loop turns
 * between any two: ingest and health checks are answered while a report over months is read.
 *
 * Which incidents (see src/reports/figures.ts): those created in [since, until), read in creation order;
 * then those created before that the period still touches (open or resolved at until, or with
 * escalations, runbook results or pages in the period), whose ids are collected first by walking each
 * index a page at a time. One number per such incident is kept, never their rows.
 */

const DAY = 86_400_000;
/** Index entries read per query while collecting the older incidents' ids. */
const SCAN_PAGE = 2000;

export function reportReads(stmt: Stmt, read: Read) {
  /** Each incident's events before until, its alerts, and its pages created from a day before since. */
  async function withRows(incidents: IncidentRow[], since: number, until: number): Promise<ReportRows> {
    const ids = JSON.stringify(incidents.map((i) => i.id));
    await nextTurn();
    return read(() => {
      const events = (
        stmt('SELECT * FROM timeline WHERE incident_id IN (SELECT value FROM json_each(?)) AND at < ? ORDER BY incident_id, id').all(ids, until) as Raw[]
      ).map(eventFromRow);
      const alerts = (
        stmt('SELECT incident_id, labels, receive_count, severity FROM alerts WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY incident_id, id').all(
          ids,
        ) as { incident_id: number; labels: string; receive_count: number; severity: Severity }[]
      ).map((r) => ({ incidentId: r.incident_id, labels: JSON.parse(r.labels) as Record<string, string>, receiveCount: r.receive_count, severity: r.severity }));
      const notifications = (
        stmt(
          `SELECT * FROM notifications WHERE incident_id IN (SELECT value FROM json_each(?))
             AND kind IN ('page', 'escalation') AND created_at >= ? AND created_at < ? ORDER BY id`,
        ).all(ids, since - DAY, until) as Raw[]
      ).map(notificationFromRow);
      return { incidents, events, notifications, alerts };
    });
  }

  /** Adds to ids the incidents created before since among the rows of a query walked in key order, page by page. */
  async function collect(ids: Set<number>, since: number, sql: string, args: unknown[], first: unknown[], keyOf: (r: Raw) => unknown[]): Promise<void> {
    let after = first;
    for (;;) {
      await nextTurn();
      const rows = await read(() => stmt(sql).all(...args, ...after, SCAN_PAGE) as Raw[]);
      for (const r of rows) if ((r.created_at as number) < since) ids.add(r.incident_id as number);
      if (rows.length < SCAN_PAGE) return;
      after = keyOf(rows[rows.length - 1]!);
    }
  }

  /** Incidents created before since that the period [since, until) touches. */
  async function olderIncidentIds(since: number, until: number): Promise<Set<number>> {
    const ids = new Set<number>();
    await collect(ids, since, 'SELECT id AS incident_id, created_at FROM incidents WHERE resolved_at IS NULL AND id > ? ORDER BY id LIMIT ?', [], [0], (r) => [
      r.incident_id,
    ]);
    await collect(
      ids,
      since,
      'SELECT id AS incident_id, resolved_at, created_at FROM incidents WHERE resolved_at >= ? AND (resolved_at, id) > (?, ?) ORDER BY resolved_at, id LIMIT ?',
      [until],
      [until - 1, 0],
      (r) => [r.resolved_at, r.incident_id],
    );
    // The partial indexes' WHERE terms, word for word, so SQLite uses them.
    await collect(
      ids,
      since,
      `SELECT t.id, t.at, t.incident_id, i.created_at FROM timeline t JOIN incidents i ON i.id = t.incident_id
        WHERE t.kind IN ('escalated', 'escalation_exhausted', 'runbook_finished', 'self_healed') AND t.at >= ? AND t.at < ? AND (t.at, t.id) > (?, ?)
        ORDER BY t.at, t.id LIMIT ?`,
      [since, until],
      [since - 1, 0],
      (r) => [r.at, r.id],
    );
    // A page due before the period may reach someone in it.
    await collect(
      ids,
      since,
      `SELECT n.id, n.created_at AS page_created_at, n.incident_id, i.created_at FROM notifications n JOIN incidents i ON i.id = n.incident_id
        WHERE n.kind IN ('page', 'escalation') AND n.created_at >= ? AND n.created_at < ? AND (n.created_at, n.id) > (?, ?)
        ORDER BY n.created_at, n.id LIMIT ?`,
      [since - DAY, until],
      [since - DAY - 1, 0],
      (r) => [r.page_created_at, r.id],
    );
    return ids;
  }

  return {
    async *reportChunks(since: number, until: number, size: number): AsyncGenerator<ReportRows> {
      if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`);
      let after: [number, number] = [since - 1, 0];
      for (;;) {
        await nextTurn();
        const incidents = await read(() =>
          (
            stmt('SELECT * FROM incidents WHERE created_at >= ? AND created_at < ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?').all(
              since,
              until,
              ...after,
              size,
            ) as Raw[]
          ).map(incidentFromRow),
        );
        if (incidents.length > 0) yield await withRows(incidents, since, until);
        if (incidents.length < size) break;
        const last = incidents[incidents.length - 1]!;
        after = [last.createdAt, last.id];
      }
      const older = [...(await olderIncidentIds(since, until))];
      for (let i = 0; i < older.length; i += size) {
        await nextTurn();
        const ids = JSON.stringify(older.slice(i, i + size));
        const incidents = await read(() => (stmt('SELECT * FROM incidents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(ids) as Raw[]).map(incidentFromRow));
        if (incidents.length > 0) yield await withRows(incidents, since, until);
      }
    },
  };
}
