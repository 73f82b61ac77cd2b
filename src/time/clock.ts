/** Every time-dependent decision reads the clock through this port, so tests move time instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.current;
  }
  set(at: number | string | Date): void {
    this.current = typeof at === 'number' ? at : new Date(at).getTime();
  }
  advance(ms: number): void {
    this.current += ms;
  }
}
