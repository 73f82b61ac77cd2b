import type { Policy } from '../../rules/schema.js';
import type { IncidentRow, StoreTx, TimerKind } from '../../store/types.js';
import type { EngineOptions } from '../engine-options.js';
import { vigil, writeEvent } from '../timeline.js';

/**
 * One kind of incident timer. The runner has already cleared the due row and skipped resolved incidents
 * and incidents without a policy; run decides whether the timer still applies and what it does, in the
 * transaction of `tx`.
 */
export interface IncidentTimer {
  kind: TimerKind;
  run(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, policy: Policy, dueAt: number, now: number): Promise<void>;
  /**
   * Optional: run for many due timers of this kind in one write, in a handful of statements however many are
   * due (10,000 reminders at the same instant). The runner falls back to one write per timer when it fails.
   */
  runMany?(ctx: EngineOptions, tx: StoreTx, due: readonly DueRun[], now: number): Promise<void>;
}

/** One due timer as runMany gets it: its open incident (with a policy) and when it was due. */
export interface DueRun {
  incident: IncidentRow;
  policy: Policy;
  dueAt: number;
}

/** A timer's event on the incident's timeline: the scheduler speaks for Vigil. */
export function timerEvent(tx: StoreTx, incident: IncidentRow, now: number, kind: string, message: string, data: Record<string, unknown> | null = null): Promise<void> {
  return writeEvent(tx, incident.id, now, vigil('scheduler'), kind, message, data);
}
