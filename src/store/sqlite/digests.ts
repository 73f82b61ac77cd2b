import { digestScheduleFromRow } from '../rows/digests.js';
import { incidentFromRow } from '../rows/incidents.js';
import type { DigestTx, ReviewReads } from '../types/digests.js';
import { type Read, rowOf, rowsOf, type Stmt } from './statements.js';

/** Digest schedules and the reviews sent for resolved incidents. */
export function digestTx(stmt: Stmt): DigestTx {
  return {
    digestSchedule: (name) => Promise.resolve(rowOf(stmt, 'SELECT * FROM digest_schedules WHERE name = ?', digestScheduleFromRow, name)),
    saveDigestSchedule: (row) => {
      stmt(
        `INSERT INTO digest_schedules (name, cron, time_zone, due_at, last_run_at, last_since, last_until) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone, due_at = excluded.due_at,
           last_run_at = excluded.last_run_at, last_since = excluded.last_since, last_until = excluded.last_until`,
      ).run(row.name, row.cron, row.timeZone, row.dueAt, row.lastRunAt, row.lastSince, row.lastUntil);
      return Promise.resolve();
    },
    markReviewed: (incidentId, resolvedAt, sentAt, recipients) => {
      const info = stmt('INSERT OR IGNORE INTO incident_reviews (incident_id, resolved_at, sent_at, recipients) VALUES (?, ?, ?, ?)').run(
        incidentId,
        resolvedAt,
        sentAt,
        recipients,
      );
      return Promise.resolve(info.changes > 0);
    },
  };
}

export function reviewReads(stmt: Stmt, read: Read): ReviewReads {
  return {
    pendingReviews: (limit) =>
      read(() =>
        rowsOf(
          stmt,
          // The partial index holds only resolved P1/P2 incidents; from the watermark on, it reads only recent ones.
          `SELECT * FROM incidents INDEXED BY incidents_to_review
            WHERE status = 'resolved' AND priority IN ('P1', 'P2')
              AND resolved_at >= (SELECT coalesce(max(resolved_at), 0) FROM incident_reviews) - 86400000
              AND NOT EXISTS (SELECT 1 FROM incident_reviews r WHERE r.incident_id = incidents.id)
            ORDER BY resolved_at, id LIMIT ?`,
          incidentFromRow,
          limit,
        ),
      ),
  };
}
