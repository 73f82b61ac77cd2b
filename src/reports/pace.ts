import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/**
 * How a report's work shares the one event loop with ingest. Between any two steps (a query, the counting
 * of a chunk, a percentile) the loop turns, so nothing waits behind a report for more than one step.
 *
 * The pacer also watches how much of the loop's time went to other work (ingest, pages, the API) over the
 * last `windowMs`: the loop's active time less the report's own steps. Above `busyAbove` of the time,
 * Vigil is busy, and the report takes at most `share` of the time from then on, waiting between steps
 * accordingly, until a window finds the other work below `idleBelow`. (Two thresholds: a report at full
 * speed squeezes the other work, which must not make the loop look free.) An idle Vigil computes a report
 * at full speed; a busy one slows the report down, not the alerts.
 *
 * This is about CPU time, so it reads the process's monotonic clock, not Vigil's clock.
 */
export interface PaceOptions {
  /** The report's share of the time while Vigil is busy. */
  share: number;
  /** Other work above this share of the time says Vigil is busy... */
  busyAbove: number;
  /** ...until it falls below this share. */
  idleBelow: number;
  /** How long each look at the other work lasts (ms). */
  windowMs: number;
}

export const defaultPace: PaceOptions = { share: 0.05, busyAbove: 0.2, idleBelow: 0.05, windowMs: 50 };

export interface PaceIo {
  now(): number;
  /** The event loop's time spent running callbacks so far (ms). */
  loopActive(): number;
  turn(): Promise<unknown>;
  sleep(ms: number): Promise<unknown>;
}

const realIo: PaceIo = {
  now: () => performance.now(),
  loopActive: () => performance.eventLoopUtilization().active,
  turn: () => nextTurn(),
  sleep: (ms) => sleep(ms),
};

/** A pause to await between two steps of one report; onStep hears how long each step took (ms). */
export function reportPacer(options: PaceOptions = defaultPace, io: PaceIo = realIo, onStep?: (ms: number) => void): () => Promise<void> {
  let stepStarted = io.now();
  let window = { started: stepStarted, active: io.loopActive(), own: 0 };
  let busy = false;
  return async () => {
    const now = io.now();
    const worked = now - stepStarted;
    onStep?.(worked);
    window.own += worked;
    if (now - window.started >= options.windowMs) {
      const others = io.loopActive() - window.active - window.own;
      busy = others > (now - window.started) * (busy ? options.idleBelow : options.busyAbove);
      window = { started: now, active: io.loopActive(), own: 0 };
    }
    const rest = busy ? worked * (1 / options.share - 1) : 0;
    await (rest >= 1 ? io.sleep(rest) : io.turn());
    stepStarted = io.now();
  };
}
