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
}

/** A timer's event on the incident's timeline: the scheduler speaks for Vigil. */
export function timerEvent(tx: StoreTx, incident: IncidentRow, now: number, kind: string, message: string, data: Record<string, unknown> | null = null): Promise<void> {
  return writeEvent(tx, incident.id, now, vigil('scheduler'), kind, message, data);
}
