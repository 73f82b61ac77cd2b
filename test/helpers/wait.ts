const POLL_MS = 150;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `fn` every 150ms until it returns something other than `undefined` or `false`, and returns that.
 * An error thrown by `fn` (a server still starting, say) counts as "not yet"; the last one is reported
 * if the wait times out. On timeout the error names `what`, so a failing test says what never happened.
 */
export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value as T;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      const last = lastError === undefined ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`timed out after ${Date.now() - started}ms (${attempts} attempts) waiting for ${what}${last}`);
    }
    await sleep(Math.min(POLL_MS, left));
  }
}
