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
  /** Due timers, earliest first; on PostgreSQL claimed for this instance under a lease (another instance skips them). */
  dueTimers(now: number, limit: number): Promise<DueTimer[]>;
  /**
   * Removes the timers still set for their `dueAt` and answers them (one statement on PostgreSQL): one that moved,
   * or that another instance ran already, is left out. Handlers run only for those answered, in the same write.
   */
  takeTimers(timers: readonly DueTimer[]): Promise<DueTimer[]>;
  /** setTimer for many (one statement on PostgreSQL); each incident and kind at most once. */
  setTimers(timers: readonly DueTimer[]): Promise<void>;
}

export interface TimerReads {
  /** When the earliest incident timer is due, or null when none is set: the scheduler wakes then. */
  nextTimerDueAt(): Promise<number | null>;
}
