import {
  alertFromReportRow,
  collectOlderIds,
  DAY,
  eventFromReportRow,
  incidentFromReportRow,
  notificationFromReportRow,
  reportChunksOf,
  SCAN_PAGE,
  type Key,
  type Period,
} from '../rows/reports.js';
import type { ReportIncidentRow, ReportReads, ReportRows } from '../types.js';
import { asArrays, type Raw, type Read, type Stmt } from './statements.js';

/**
 * A report's rows, a chunk of incidents at a time (which ones: src/store/rows/reports.ts). better-sqlite3
 * blocks the event loop while a query runs, so no read here takes more than a chunk (or a scan page) of rows,
 * and the caller's pause comes between any two: ingest and health checks are answered while a report over
 * months is read.
 */

// Rows come as arrays (better-sqlite3's raw mode, about a third cheaper than objects), in the order of these columns.

/** The incident columns a report reads; of the policy (JSON), only the SLAs and the digest flag (JSON true as 1). */
const incidentColumns = `id, title, status, severity, priority, team, service, created_at, acknowledged_at, acknowledged_by,
  resolved_at, resolved_by, reopen_count, escalation_tier, alert_count, policy IS NOT NULL,
  json_extract(policy, '$.ackSla'), json_extract(policy, '$.resolveSla'), json_extract(policy, '$.digest')`;

const eventColumns = 'id, incident_id, at, kind, actor, message, data';

const notificationColumns = 'id, incident_id, kind, channel, person, recipient_name, status, created_at, due_at, delivered_at, fallback_of, error_kind';

export function reportReads(stmt: Stmt, read: Read): ReportReads {
  const rows = (sql: string, ...args: unknown[]) => {
    const s = stmt(sql);
    return asArrays(s, () => s.all(...args) as unknown[][]);
  };

  const alertsOf = (ids: string) =>
    rows(
      `SELECT incident_id, json_extract(labels, '$.alertname'), receive_count, severity FROM alerts
        WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY incident_id, id`,
      ids,
    ).map(alertFromReportRow);

  /**
   * A chunk: its incidents (from the query given), their events of the kinds asked for before until, their
   * pages created from a day before since, and (for the period's incidents: only theirs are counted) their
   * alerts. Read in one go, so the chunk is garbage by the next pause (rows kept across pauses would
   * outlive young-generation collections and pile up in the old one).
   */
  function chunkOf(incidents: ReportIncidentRow[], period: Period, eventKinds: string, withAlerts: boolean): ReportRows {
    const { since, until } = period;
    const ids = JSON.stringify(incidents.map((i) => i.id));
    const events = rows(
      `SELECT ${eventColumns} FROM timeline
        WHERE incident_id IN (SELECT value FROM json_each(?)) AND at < ? AND kind IN (SELECT value FROM json_each(?)) ORDER BY incident_id, id`,
      ids,
      until,
      eventKinds,
    ).map(eventFromReportRow);
    const notifications = rows(
      `SELECT ${notificationColumns} FROM notifications
        WHERE incident_id IN (SELECT value FROM json_each(?)) AND kind IN ('page', 'escalation') AND created_at >= ? AND created_at < ?`,
      ids,
      since - DAY,
      until,
    ).map(notificationFromReportRow);
    return { incidents, events, notifications, alerts: withAlerts ? alertsOf(ids) : [] };
  }

  /**
   * Adds to ids the incidents created before since among the rows of a query walked in key order, page by
   * page. Each page starts where the last ended: `key >= :key AND (key > :key OR id > :id)` lets SQLite seek
   * there in the index (a row value `(key, id) > (?, ?)` would scan from the start of the range every time).
   */
  function collect(ids: Set<number>, sql: string, period: Period, start: Key, keyOf: (r: Raw) => Key): Promise<void> {
    const { until } = period;
    return collectOlderIds(ids, period, start, keyOf, (after) => read(() => stmt(sql).all({ until, ...after, limit: SCAN_PAGE }) as Raw[]));
  }

  /** Incidents created before since that the period [since, until) touches. */
  async function olderIncidentIds(period: Period): Promise<Set<number>> {
    const { since, until } = period;
    const ids = new Set<number>();
    await collect(
      ids,
      'SELECT id AS incident_id, created_at FROM incidents WHERE resolved_at IS NULL AND id > :id ORDER BY id LIMIT :limit',
      period,
      { key: null, id: 0 },
      (r) => ({ key: null, id: r.incident_id as number }),
    );
    await collect(
      ids,
      `SELECT id AS incident_id, resolved_at, created_at FROM incidents
        WHERE resolved_at >= :key AND (resolved_at > :key OR id > :id) ORDER BY resolved_at, id LIMIT :limit`,
      period,
      { key: until, id: 0 },
      (r) => ({ key: r.resolved_at as number, id: r.incident_id as number }),
    );
    // The partial indexes' WHERE terms, word for word, so SQLite uses them.
    await collect(
      ids,
      `SELECT t.id, t.at, t.incident_id, i.created_at FROM timeline t JOIN incidents i ON i.id = t.incident_id
        WHERE t.kind IN ('escalated', 'escalation_exhausted', 'runbook_finished', 'self_healed') AND t.at < :until AND t.at >= :key AND (t.at > :key OR t.id > :id)
        ORDER BY t.at, t.id LIMIT :limit`,
      period,
      { key: since, id: 0 },
      (r) => ({ key: r.at as number, id: r.id as number }),
    );
    // A page due before the period may reach someone in it.
    await collect(
      ids,
      `SELECT n.id, n.created_at AS page_created_at, n.incident_id, i.created_at FROM notifications n JOIN incidents i ON i.id = n.incident_id
        WHERE n.kind IN ('page', 'escalation') AND n.created_at < :until AND n.created_at >= :key AND (n.created_at > :key OR n.id > :id)
        ORDER BY n.created_at, n.id LIMIT :limit`,
      period,
      { key: since - DAY, id: 0 },
      (r) => ({ key: r.page_created_at as number, id: r.id as number }),
    );
    return ids;
  }

  return {
    reportChunks: (since, until, options) =>
      reportChunksOf(since, until, options, (period, eventKinds) => {
        const kinds = JSON.stringify(eventKinds);
        return {
          created: (after, size) =>
            read(() => {
              const { until } = period;
              const incidents = rows(
                `SELECT ${incidentColumns} FROM incidents
                  WHERE created_at < :until AND created_at >= :key AND (created_at > :key OR id > :id) ORDER BY created_at, id LIMIT :size`,
                { until, ...after, size },
              ).map(incidentFromReportRow);
              return chunkOf(incidents, period, kinds, true);
            }),
          olderIncidentIds: () => olderIncidentIds(period),
          older: (older) => {
            const ids = JSON.stringify(older);
            return read(() =>
              chunkOf(rows(`SELECT ${incidentColumns} FROM incidents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, ids).map(incidentFromReportRow), period, kinds, false),
            );
          },
        };
      }),
  };
}
