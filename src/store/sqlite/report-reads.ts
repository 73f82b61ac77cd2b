import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Severity } from '../../alerts/severity.js';
import type { ReportChunkOptions, ReportIncidentRow, ReportNotificationRow, ReportRows, TimelineEvent } from '../types.js';
import type { Raw, Read, Stmt } from './statements.js';

type Pause = () => Promise<unknown>;
type Period = { since: number; until: number; pause: Pause };
/** Where a walk along an index stopped: the last row's key (the indexed column) and id. */
type Key = { key: number | null; id: number };

/**
 * A report's rows, a chunk of incidents at a time. better-sqlite3 blocks the event loop while a query
 * runs, so no read here takes more than a chunk (or a scan page) of rows, and the caller's pause comes
 * between any two: ingest and health checks are answered while a report over months is read.
 *
 * Which incidents (see src/reports/figures.ts): those created in [since, until), read in creation order;
 * then those created before that the period still touches (open or resolved at until, or with
 * escalations, runbook results or pages in the period), whose ids are collected first by walking each
 * index a page at a time. One number per such incident is kept, never their rows.
 */

const DAY = 86_400_000;
/** Index entries read per query while collecting the older incidents' ids. */
const SCAN_PAGE = 1000;

// Rows come as arrays (better-sqlite3's raw mode, about a third cheaper than objects), in the order of these columns.

/** The incident columns a report reads; of the policy (JSON), only the SLAs and the digest flag. */
const incidentColumns = `id, title, status, severity, priority, team, service, created_at, acknowledged_at, acknowledged_by,
  resolved_at, resolved_by, reopen_count, escalation_tier, alert_count, policy IS NOT NULL,
  json_extract(policy, '$.ackSla'), json_extract(policy, '$.resolveSla'), json_extract(policy, '$.digest')`;

function incidentFromReportRow(r: unknown[]): ReportIncidentRow {
  const [id, title, status, severity, priority, team, service, createdAt, acknowledgedAt, acknowledgedBy, resolvedAt, resolvedBy] = r;
  const [reopenCount, escalationTier, alertCount, hasPolicy, ackSla, resolveSla, digest] = r.slice(12);
  return {
    id: id as number,
    title: title as string,
    status: status as ReportIncidentRow['status'],
    severity: severity as ReportIncidentRow['severity'],
    priority: priority as ReportIncidentRow['priority'],
    team: team as string | null,
    service: service as string | null,
    createdAt: createdAt as number,
    acknowledgedAt: acknowledgedAt as number | null,
    acknowledgedBy: acknowledgedBy as string | null,
    resolvedAt: resolvedAt as number | null,
    resolvedBy: resolvedBy as string | null,
    reopenCount: reopenCount as number,
    escalationTier: escalationTier as number,
    alertCount: alertCount as number,
    // json_extract gives JSON true as 1; a policy without the flag (an older Vigil's) goes into digests.
    policy: hasPolicy === 1 ? { ackSla: ackSla as number | null, resolveSla: resolveSla as number | null, digest: digest !== 0 } : null,
  };
}

const eventColumns = 'id, incident_id, at, kind, actor, message, data';

function eventFromReportRow([id, incidentId, at, kind, actor, message, data]: unknown[]): Omit<TimelineEvent, 'source'> {
  return {
    id: id as number,
    incidentId: incidentId as number,
    at: at as number,
    kind: kind as string,
    actor: actor as string | null,
    message: message as string,
    data: data === null ? null : (JSON.parse(data as string) as Record<string, unknown>),
  };
}

const notificationColumns = 'id, incident_id, kind, channel, person, recipient_name, status, created_at, due_at, delivered_at, fallback_of, error_kind';

function notificationFromReportRow(r: unknown[]): ReportNotificationRow {
  const [id, incidentId, kind, channel, person, recipientName, status, createdAt, dueAt, deliveredAt, fallbackOf, errorKind] = r;
  return {
    id: id as number,
    incidentId: incidentId as number | null,
    kind: kind as string,
    channel: channel as string,
    person: person as string | null,
    recipientName: recipientName as string,
    status: status as ReportNotificationRow['status'],
    createdAt: createdAt as number,
    dueAt: dueAt as number,
    deliveredAt: deliveredAt as number | null,
    fallbackOf: fallbackOf as number | null,
    errorKind: errorKind as string | null,
  };
}

export function reportReads(stmt: Stmt, read: Read) {
  const rows = (sql: string, ...args: unknown[]) => stmt(sql).raw(true).all(...args) as unknown[][];

  const alertsOf = (ids: string) =>
    rows(
      `SELECT incident_id, json_extract(labels, '$.alertname'), receive_count, severity FROM alerts
        WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY incident_id, id`,
      ids,
    ).map(([incidentId, alertname, receiveCount, severity]) => ({
      incidentId: incidentId as number,
      labels: (alertname === null ? {} : { alertname: String(alertname) }) as Record<string, string>,
      receiveCount: receiveCount as number,
      severity: severity as Severity,
    }));

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
  async function collect(ids: Set<number>, sql: string, period: Period, start: Key, keyOf: (r: Raw) => Key): Promise<void> {
    const { since, until, pause } = period;
    let after = start;
    for (;;) {
      await pause();
      const page = await read(() => stmt(sql).all({ until, ...after, limit: SCAN_PAGE }) as Raw[]);
      for (const r of page) if ((r.created_at as number) < since) ids.add(r.incident_id as number);
      if (page.length < SCAN_PAGE) return;
      after = keyOf(page[page.length - 1]!);
    }
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
    async *reportChunks(since: number, until: number, { size, eventKinds, pause = nextTurn }: ReportChunkOptions): AsyncGenerator<ReportRows> {
      if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1, got ${size}`);
      const kinds = JSON.stringify(eventKinds);
      const period = { since, until, pause };
      let after = { key: since, id: 0 };
      for (;;) {
        await pause();
        const chunk = await read(() => {
          const incidents = rows(
            `SELECT ${incidentColumns} FROM incidents
              WHERE created_at < :until AND created_at >= :key AND (created_at > :key OR id > :id) ORDER BY created_at, id LIMIT :size`,
            { until, ...after, size },
          ).map(incidentFromReportRow);
          return chunkOf(incidents, period, kinds, true);
        });
        const last = chunk.incidents.at(-1);
        if (last) yield chunk;
        if (chunk.incidents.length < size || !last) break;
        after = { key: last.createdAt, id: last.id };
      }
      const older = [...(await olderIncidentIds(period))];
      for (let i = 0; i < older.length; i += size) {
        await pause();
        const ids = JSON.stringify(older.slice(i, i + size));
        const chunk = await read(() =>
          chunkOf(rows(`SELECT ${incidentColumns} FROM incidents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`, ids).map(incidentFromReportRow), period, kinds, false),
        );
        if (chunk.incidents.length > 0) yield chunk;
      }
    },
  };
}
