import { unavailable } from './errors.js';

/**
 * Waits for `ready` at most `ms`; past that the caller gets 503 with Retry-After (a sender retries), never a
 * request that hangs while a database is still being reached. A `ready` that failed rethrows its error.
 */
export async function readyWithin(ready: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unavailable(message, 2)), ms);
    timer.unref();
  });
  try {
    await Promise.race([ready, late]);
  } finally {
    clearTimeout(timer);
  }
}
