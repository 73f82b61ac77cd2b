import { readdirSync, statSync, watch } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../observe/logger.js';

/** The timers a settler uses (tests pass their own and move time by hand). */
export interface SettleTimers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: SettleTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface SettleOptions {
  /** How long the files must stay as they are before the reload. */
  quietMs?: number;
  /** A directory that is written to all the time still reloads this long after the first change. */
  maxWaitMs?: number;
  timers?: SettleTimers;
}

const yamlFile = /\.ya?ml$/;

/** Names, sizes and modification times of the directory's YAML files: the same twice a quiet period apart, writers are done. */
export function yamlFilesState(dir: string): string {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => yamlFile.test(f)).sort();
  } catch {
    return '(unreadable)';
  }
  return names
    .map((f) => {
      try {
        const st = statSync(path.join(dir, f));
        return `${f} ${st.size} ${st.mtimeMs}`;
      } catch {
        return `${f} (gone)`;
      }
    })
    .join('\n');
}

/**
 * Calls `settled` once changes stop, so a half-written file is never applied: each change starts the quiet
 * period again, and when it ends the state must be what it was when it began (else it starts again). After
 * maxWaitMs of constant change, `settled` is called anyway.
 */
export function settler(state: () => string, settled: () => void, { quietMs = 500, maxWaitMs = 5000, timers = realTimers }: SettleOptions = {}) {
  let timer: unknown = null;
  let firstChange: number | null = null;
  let before = '';
  const arm = () => {
    if (timer !== null) timers.clearTimeout(timer);
    const left = firstChange! + maxWaitMs - timers.now();
    timer = timers.setTimeout(check, Math.max(0, Math.min(quietMs, left)));
  };
  const check = () => {
    timer = null;
    const now = state();
    if (now !== before && timers.now() - firstChange! < maxWaitMs) {
      before = now;
      arm();
      return;
    }
    firstChange = null;
    settled();
  };
  return {
    changed(): void {
      firstChange ??= timers.now();
      before = state();
      arm();
    },
    cancel(): void {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      firstChange = null;
    },
  };
}

/**
 * Calls `reload` once the YAML files in `dir` have changed and settled (see settler). A directory that cannot
 * be watched is logged, not fatal: SIGHUP and POST /-/reload still work. Returns a function that stops watching.
 */
export function watchDirectory(dir: string, what: string, logger: Logger, reload: () => void, options: SettleOptions = {}): () => void {
  const hint = 'use SIGHUP or POST /-/reload';
  const settle = settler(
    () => yamlFilesState(dir),
    () => {
      try {
        reload();
      } catch {
        // reload logs its own problems; the previous files stay in force
      }
    },
    options,
  );
  try {
    const watcher = watch(dir, () => settle.changed());
    watcher.on('error', (err) => logger.warn({ err }, `watching the ${what} directory failed; ${hint}`));
    return () => {
      settle.cancel();
      watcher.close();
    };
  } catch (err) {
    logger.warn({ err }, `cannot watch the ${what} directory; ${hint}`);
    return () => {};
  }
}
