import { unavailable } from './errors.js';

/**
 * Something that becomes ready once (a store migrated, mirrors loaded). Until then a caller waits at most a
 * while and then gets 503 with Retry-After (a sender retries), never a request that hangs while a database is
 * still being reached; once ready, callers pass straight through (no timer on the hot path). A start that
 * failed rethrows its error.
 */
export class Readiness {
  private ready = false;

  constructor(readonly settled: Promise<void>) {
    settled.then(
      () => (this.ready = true),
      () => {},
    );
  }

  /** Resolves when ready, rejects with 503 after `ms` while not. */
  within(ms: number, message: string): Promise<void> {
    if (this.ready) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable(message, 2)), ms);
      timer.unref();
    });
    return Promise.race([this.settled, late]).finally(() => clearTimeout(timer));
  }
}
