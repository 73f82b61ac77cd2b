import { timerFromRow } from '../rows/timers.js';
import type { DueTimer, TimerReads, TimerTx } from '../types/timers.js';
import { CLAIMABLE, LEASE_RELEASE, LEASE_SET, leaseArgs, type Lease } from './lease.js';
import type { Query } from './pool.js';

/**
 * Incident timers (escalate, SLAs, reminders, ...): one row per incident and kind. The due timers an instance
 * reads are claimed for it under a lease, so several instances share the due work instead of all doing it.
 */
export function timerTx(q: Query, lease: Lease): TimerTx {
  return {
    setTimer: async (incidentId, kind, dueAt) => {
      await q(`INSERT INTO incident_timers (incident_id, kind, due_at) VALUES (?, ?, ?) ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at, ${LEASE_RELEASE}`, [
        incidentId,
        kind,
        dueAt,
      ]);
    },
    setTimers: async (timers) => {
      if (timers.length === 0) return;
      await q(
        `INSERT INTO incident_timers (incident_id, kind, due_at) SELECT * FROM unnest(?::bigint[], ?::text[], ?::bigint[])
         ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at, ${LEASE_RELEASE}`,
        columns(timers),
      );
    },
    clearTimers: async (incidentId, kinds) => {
      if (!kinds) await q('DELETE FROM incident_timers WHERE incident_id = ?', [incidentId]);
      else if (kinds.length) await q('DELETE FROM incident_timers WHERE incident_id = ? AND kind = ANY(?::text[])', [incidentId, kinds]);
    },
    dueTimers: async (now, limit) =>
      (
        await q(
          `UPDATE incident_timers SET ${LEASE_SET} WHERE (incident_id, kind) IN
             (SELECT incident_id, kind FROM incident_timers WHERE due_at <= ? AND ${CLAIMABLE} ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED)
           RETURNING incident_id, kind, due_at`,
          [...leaseArgs(lease), now, lease.owner, limit],
        )
      )
        .map(timerFromRow)
        .sort((a, b) => a.dueAt - b.dueAt),
    takeTimers: async (timers) => {
      if (timers.length === 0) return [];
      const taken = await q(
        `DELETE FROM incident_timers t USING unnest(?::bigint[], ?::text[], ?::bigint[]) AS u(incident_id, kind, due_at)
         WHERE t.incident_id = u.incident_id AND t.kind = u.kind AND t.due_at = u.due_at RETURNING t.incident_id, t.kind`,
        columns(timers),
      );
      const keys = new Set(taken.map((r) => `${Number(r.incident_id)}:${r.kind as string}`));
      return timers.filter((t) => keys.has(`${t.incidentId}:${t.kind}`));
    },
  };
}

/** The timers as the three arrays unnest takes. */
function columns(timers: readonly DueTimer[]): unknown[] {
  return [timers.map((t) => t.incidentId), timers.map((t) => t.kind), timers.map((t) => t.dueAt)];
}

export function timerReads(read: Query, lease: Lease): TimerReads {
  return {
    nextTimerDueAt: async () => {
      // Timers another instance claimed are its to run; one whose lease runs out is seen again then.
      const [r] = await read(`SELECT min(due_at) AS due FROM incident_timers WHERE ${CLAIMABLE}`, [lease.owner]);
      return (r!.due as number | null) ?? null;
    },
  };
}
