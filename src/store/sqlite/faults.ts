import { unavailable } from '../../errors/errors.js';

/** SQLite's error code, or '' for anything else. */
const codeOf = (err: unknown) => String((err as { code?: unknown })?.code ?? '');

/** Faults worth a retry by the sender: busy, locked, full disk, I/O errors. */
export function isTransientStoreError(err: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL|NOMEM)/.test(codeOf(err));
}

/** Errors that mean "this file cannot be opened as asked" rather than a fault inside SQLite or Vigil. */
export function isOpenFailure(err: unknown): boolean {
  return /^(SQLITE_(CANTOPEN|READONLY|NOTADB|PERM|AUTH|IOERR)|E[A-Z]+$)/.test(codeOf(err));
}

/** A transient fault becomes a 503 with Retry-After; anything else stays what it is. */
export function classifyFault(err: unknown): unknown {
  return isTransientStoreError(err) ? unavailable('the store is temporarily unavailable; retry shortly', 1) : err;
}
