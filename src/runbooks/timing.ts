/** Waits; tests inject one that moves a ManualClock instead. Rejects with AbortError when the signal fires. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export class AbortError extends Error {
  constructor(message = 'aborted') {
    super(message);
    this.name = 'AbortError';
  }
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * A signal that fires after `ms` (a real timer: it bounds real I/O) or when `parent` fires. `timedOut` tells the
 * two apart, so a step can say "timed out" rather than "aborted by shutdown".
 */
export interface Deadline {
  signal: AbortSignal;
  timedOut(): boolean;
  dispose(): void;
}

export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new AbortError(`timed out after ${ms}ms`));
  }, ms);
  const onParent = () => controller.abort(new AbortError('aborted: Vigil is shutting down'));
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => expired,
    dispose: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
