import type { IncidentEngine } from '../incidents/engine.js';
import type { Job } from './scheduler.js';

/** Resolves alerts whose sender stopped refreshing them (Alertmanager's resolve_timeout semantics). */
export function expireAlertsJob(engine: IncidentEngine): Job {
  return {
    name: 'expire-alerts',
    async run() {
      // Bounded batches keep one tick short; the next tick picks up the rest.
      let total = 0;
      for (let i = 0; i < 10; i++) {
        const n = await engine.expireDue(1000);
        total += n;
        if (n < 1000) break;
      }
      return total;
    },
  };
}

/** Writes the receipt times of repeats that changed nothing, batched from the ingest path. */
export function flushReceiptsJob(engine: IncidentEngine): Job {
  return { name: 'flush-receipts', run: () => engine.flushReceipts() };
}

/** Keeps silences, maintenance windows and inhibition applied to firing alerts as time passes. */
export function suppressionJob(engine: IncidentEngine): Job {
  return { name: 'suppressions', run: () => engine.checkSuppressions() };
}

/** Escalations, SLA timers, progress reminders and re-triggers: every incident timer that is due. */
export function incidentTimersJob(engine: IncidentEngine): Job {
  return { name: 'incident-timers', run: () => engine.runTimers(), nextDueAt: () => engine.nextTimerDueAt() };
}
