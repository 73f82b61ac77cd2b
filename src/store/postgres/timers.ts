import { timerFromRow } from '../rows/timers.js';
import type { TimerReads, TimerTx } from '../types/timers.js';
import type { Query } from './pool.js';

/** Incident timers (escalate, SLAs, reminders, ...): one row per incident and kind. */
export function timerTx(q: Query): TimerTx {
  return {
    setTimer: async (incidentId, kind, dueAt) => {
      await q('INSERT INTO incident_timers (incident_id, kind, due_at) VALUES (?, ?, ?) ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at', [
        incidentId,
        kind,
        dueAt,
      ]);
    },
    clearTimers: async (incidentId, kinds) => {
      if (!kinds) await q('DELETE FROM incident_timers WHERE incident_id = ?', [incidentId]);
      else if (kinds.length) await q('DELETE FROM incident_timers WHERE incident_id = ? AND kind = ANY(?::text[])', [incidentId, kinds]);
    },
    dueTimers: async (now, limit) =>
      (await q('SELECT incident_id, kind, due_at FROM incident_timers WHERE due_at <= ? ORDER BY due_at LIMIT ?', [now, limit])).map(timerFromRow),
  };
}

export function timerReads(read: Query): TimerReads {
  return {
    nextTimerDueAt: async () => {
      const [r] = await read('SELECT min(due_at) AS due FROM incident_timers');
      return (r!.due as number | null) ?? null;
    },
  };
}
