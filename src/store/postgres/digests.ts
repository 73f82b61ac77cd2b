import { digestScheduleFromRow } from '../rows/digests.js';
import { incidentFromRow } from '../rows/incidents.js';
import type { DigestTx, ReviewReads } from '../types/digests.js';
import type { Query } from './pool.js';

/** Digest schedules and the reviews sent for resolved incidents. */
export function digestTx(q: Query): DigestTx {
  return {
    digestSchedule: async (name) => {
      const [r] = await q('SELECT * FROM digest_schedules WHERE name = ?', [name]);
      return r ? digestScheduleFromRow(r) : undefined;
    },
    saveDigestSchedule: async (row) => {
      await q(
        `INSERT INTO digest_schedules (name, cron, time_zone, due_at, last_run_at, last_since, last_until) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, time_zone = excluded.time_zone, due_at = excluded.due_at,
           last_run_at = excluded.last_run_at, last_since = excluded.last_since, last_until = excluded.last_until`,
        [row.name, row.cron, row.timeZone, row.dueAt, row.lastRunAt, row.lastSince, row.lastUntil],
      );
    },
    markReviewed: async (incidentId, resolvedAt, sentAt, recipients) =>
      (
        await q('INSERT INTO incident_reviews (incident_id, resolved_at, sent_at, recipients) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING incident_id', [
          incidentId,
          resolvedAt,
          sentAt,
          recipients,
        ])
      ).length > 0,
  };
}

export function reviewReads(read: Query): ReviewReads {
  return {
    pendingReviews: async (limit) =>
      (
        await read(
          // The partial index incidents_to_review holds only resolved P1/P2 incidents; from the watermark on, it reads only recent ones.
          `SELECT * FROM incidents
            WHERE status = 'resolved' AND priority IN ('P1', 'P2')
              AND resolved_at >= (SELECT coalesce(max(resolved_at), 0) FROM incident_reviews) - 86400000
              AND NOT EXISTS (SELECT 1 FROM incident_reviews r WHERE r.incident_id = incidents.id)
            ORDER BY resolved_at, id LIMIT ?`,
          [limit],
        )
      ).map(incidentFromRow),
  };
}
