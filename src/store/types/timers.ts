export type TimerKind = 'escalate' | 'ack_sla' | 'resolve_sla' | 'progress' | 'reack' | 'renotify' | 'hold';

export interface DueTimer {
  incidentId: number;
  kind: TimerKind;
  dueAt: number;
}

/** Incident timers: due rows in the database, so a restart loses none. */
export interface TimerTx {
  /** Sets (or moves) the incident's timer of this kind. */
  setTimer(incidentId: number, kind: TimerKind, dueAt: number): Promise<void>;
  clearTimers(incidentId: number, kinds?: TimerKind[]): Promise<void>;
  dueTimers(now: number, limit: number): Promise<DueTimer[]>;
}

export interface TimerReads {
  /** When the earliest incident timer is due, or null when none is set: the scheduler wakes then. */
  nextTimerDueAt(): Promise<number | null>;
}
