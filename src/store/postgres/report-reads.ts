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
import type { Raw } from '../row-mapping.js';
import type { ReportIncidentRow, ReportReads, ReportRows } from '../types.js';
import type { Query } from './pool.js';

/**
 * A report's rows, a chunk of incidents at a time (which ones: src/store/rows/reports.ts). Each read is one
 * query through the pool and none returns more than a chunk (or a scan page) of rows, so a report over months
 * holds neither much memory nor a connection for long.
 */

/**
 * The shared row converters take arrays of column values: a row's values in the order of its columns (every
 * column named uniquely, so none is lost to another of the same name).
 */
const values = (rows: Raw[]) => rows.map((r) => Object.values(r));

/**
 * The incident columns a report reads, as SQLite's store gives them: of the policy (JSON text, parsed once per
 * row), only the SLAs and the digest flag as 1, 0 or null when absent.
 */
const incidentColumns = `id, title, status, severity, priority, team, service, created_at, acknowledged_at, acknowledged_by,
  resolved_at, resolved_by, reopen_count, escalation_tier, alert_count, (policy IS NOT NULL)::int AS has_policy,
  (p->>'ackSla')::float8 AS ack_sla, (p->>'resolveSla')::float8 AS resolve_sla,
  CASE p->>'digest' WHEN 'true' THEN 1 WHEN 'false' THEN 0 END AS digest
  FROM incidents CROSS JOIN LATERAL (SELECT incidents.policy::json AS p) AS parsed`;

const eventColumns = 'id, incident_id, at, kind, actor, message, data';

const notificationColumns = 'id, incident_id, kind, channel, person, recipient_name, status, created_at, due_at, delivered_at, fallback_of, error_kind';

export function reportReads(q: Query): ReportReads {
  const incidentsWhere = async (where: string, args: unknown[]) => values(await q(`SELECT ${incidentColumns} ${where}`, args)).map(incidentFromReportRow);

  /**
   * A chunk: its incidents, their events of the kinds asked for before until, their pages created from a day
   * before since, and (for the period's incidents: only theirs are counted) their alerts. Rows in SQLite's order.
   */
  async function chunkOf(incidents: ReportIncidentRow[], period: Period, eventKinds: readonly string[], withAlerts: boolean): Promise<ReportRows> {
    if (incidents.length === 0) return { incidents, events: [], notifications: [], alerts: [] };
    const { since, until } = period;
    const ids = incidents.map((i) => i.id);
    const events = values(
      await q(
        `SELECT ${eventColumns} FROM timeline
          WHERE incident_id = ANY(?::bigint[]) AND at < ? AND kind = ANY(?::text[]) ORDER BY incident_id, id`,
        [ids, until, eventKinds],
      ),
    ).map(eventFromReportRow);
    const notifications = values(
      await q(
        `SELECT ${notificationColumns} FROM notifications
          WHERE incident_id = ANY(?::bigint[]) AND kind IN ('page', 'escalation') AND created_at >= ? AND created_at < ? ORDER BY incident_id, id`,
        [ids, since - DAY, until],
      ),
    ).map(notificationFromReportRow);
    const alerts = withAlerts
      ? values(
          await q(
            `SELECT incident_id, labels::json->>'alertname' AS alertname, receive_count, severity FROM alerts
              WHERE incident_id = ANY(?::bigint[]) ORDER BY incident_id, id`,
            [ids],
          ),
        ).map(alertFromReportRow)
      : [];
    return { incidents, events, notifications, alerts };
  }

  /** Walks one index from start, a page at a time; args gives a page's parameters after a key. */
  const collect = (ids: Set<number>, sql: string, period: Period, start: Key, keyOf: (r: Raw) => Key, args: (after: Key) => unknown[]) =>
    collectOlderIds(ids, period, start, keyOf, (after) => q(sql, [...args(after), SCAN_PAGE]));

  /**
   * Incidents created before since that the period [since, until) touches. Each page starts where the last
   * ended: `key >= ? AND (key > ? OR id > ?)`, as in SQLite's store.
   */
  async function olderIncidentIds(period: Period): Promise<Set<number>> {
    const { since, until } = period;
    const ids = new Set<number>();
    await collect(
      ids,
      'SELECT id AS incident_id, created_at FROM incidents WHERE resolved_at IS NULL AND id > ? ORDER BY id LIMIT ?',
      period,
      { key: null, id: 0 },
      (r) => ({ key: null, id: r.incident_id as number }),
      ({ id }) => [id],
    );
    await collect(
      ids,
      `SELECT id AS incident_id, resolved_at, created_at FROM incidents
        WHERE resolved_at >= ? AND (resolved_at > ? OR id > ?) ORDER BY resolved_at, id LIMIT ?`,
      period,
      { key: until, id: 0 },
      (r) => ({ key: r.resolved_at as number, id: r.incident_id as number }),
      ({ key, id }) => [key, key, id],
    );
    // The partial indexes' WHERE terms, so the planner can use them.
    await collect(
      ids,
      `SELECT t.id, t.at, t.incident_id, i.created_at FROM timeline t JOIN incidents i ON i.id = t.incident_id
        WHERE t.kind IN ('escalated', 'escalation_exhausted', 'runbook_finished', 'self_healed') AND t.at < ? AND t.at >= ? AND (t.at > ? OR t.id > ?)
        ORDER BY t.at, t.id LIMIT ?`,
      period,
      { key: since, id: 0 },
      (r) => ({ key: r.at as number, id: r.id as number }),
      ({ key, id }) => [until, key, key, id],
    );
    // A page due before the period may reach someone in it.
    await collect(
      ids,
      `SELECT n.id, n.created_at AS page_created_at, n.incident_id, i.created_at FROM notifications n JOIN incidents i ON i.id = n.incident_id
        WHERE n.kind IN ('page', 'escalation') AND n.created_at < ? AND n.created_at >= ? AND (n.created_at > ? OR n.id > ?)
        ORDER BY n.created_at, n.id LIMIT ?`,
      period,
      { key: since - DAY, id: 0 },
      (r) => ({ key: r.page_created_at as number, id: r.id as number }),
      ({ key, id }) => [until, key, key, id],
    );
    return ids;
  }

  return {
    reportChunks: (since, until, options) =>
      reportChunksOf(since, until, options, (period, eventKinds) => ({
        created: async ({ key, id }, size) => {
          const incidents = await incidentsWhere(
            'WHERE created_at < ? AND created_at >= ? AND (created_at > ? OR id > ?) ORDER BY created_at, id LIMIT ?',
            [period.until, key, key, id, size],
          );
          return chunkOf(incidents, period, eventKinds, true);
        },
        olderIncidentIds: () => olderIncidentIds(period),
        older: async (ids) => chunkOf(await incidentsWhere('WHERE id = ANY(?::bigint[]) ORDER BY id', [ids]), period, eventKinds, false),
      })),
  };
}
