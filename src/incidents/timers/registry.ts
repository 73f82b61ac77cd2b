import type { TimerKind } from '../../store/types.js';
import { ackSlaTimer } from './ack-sla.js';
import { escalateTimer } from './escalate.js';
import { holdTimer } from './hold.js';
import { progressTimer } from './progress.js';
import { reackTimer } from './reack.js';
import { renotifyTimer } from './renotify.js';
import { resolveSlaTimer } from './resolve-sla.js';
import type { IncidentTimer } from './timer.js';

/** Every kind of incident timer; a new kind is one file and one line here. */
export const incidentTimers: readonly IncidentTimer[] = [
  ackSlaTimer,
  resolveSlaTimer,
  escalateTimer,
  progressTimer,
  renotifyTimer,
  holdTimer,
  reackTimer,
];

const byKind = new Map<TimerKind, IncidentTimer>(incidentTimers.map((t) => [t.kind, t]));

/** The timer that handles a due row of this kind. */
export function timerFor(kind: TimerKind): IncidentTimer | undefined {
  return byKind.get(kind);
}
