import { timerFromRow } from '../rows/timers.js';
import type { TimerReads, TimerTx } from '../types/timers.js';
import { type Read, rowsOf, type Stmt } from './statements.js';

/** Incident timers (escalate, SLAs, reminders, ...): one row per incident and kind. */
export function timerTx(stmt: Stmt): TimerTx {
  const set = () => stmt('INSERT INTO incident_timers (incident_id, kind, due_at) VALUES (?, ?, ?) ON CONFLICT (incident_id, kind) DO UPDATE SET due_at = excluded.due_at');
  // Statements here cost microseconds, not round trips: the many-timer forms run the one-timer statement each.
  return {
    setTimer: (incidentId, kind, dueAt) => {
      set().run(incidentId, kind, dueAt);
      return Promise.resolve();
    },
    setTimers: (timers) => {
      const s = set();
      for (const t of timers) s.run(t.incidentId, t.kind, t.dueAt);
      return Promise.resolve();
    },
    clearTimers: (incidentId, kinds) => {
      if (!kinds) stmt('DELETE FROM incident_timers WHERE incident_id = ?').run(incidentId);
      else for (const k of kinds) stmt('DELETE FROM incident_timers WHERE incident_id = ? AND kind = ?').run(incidentId, k);
      return Promise.resolve();
    },
    takeTimers: (timers) => {
      const take = stmt('DELETE FROM incident_timers WHERE incident_id = ? AND kind = ? AND due_at = ?');
      return Promise.resolve(timers.filter((t) => take.run(t.incidentId, t.kind, t.dueAt).changes > 0));
    },
    dueTimers: (now, limit) =>
      Promise.resolve(
        rowsOf(
          stmt,
          'SELECT incident_id, kind, due_at FROM incident_timers WHERE due_at <= ? ORDER BY due_at LIMIT ?',
          timerFromRow,
          now,
          limit,
        ),
      ),
  };
}

export function timerReads(stmt: Stmt, read: Read): TimerReads {
  return {
    nextTimerDueAt: () => read(() => (stmt('SELECT min(due_at) AS due FROM incident_timers').get() as { due: number | null }).due),
  };
}
