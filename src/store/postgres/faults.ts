import { unavailable } from '../../errors/errors.js';

const codeOf = (err: unknown) => String((err as { code?: unknown })?.code ?? '');

/**
 * The database cannot serve now but will (down, restarting, failing over, out of connections, disk full):
 * the sender gets 503 with Retry-After and sends again. SQLSTATE classes 08 (connection), 53 (resources),
 * 57P (shutdown, cannot connect now), 58 (system errors), a statement cancelled by its timeout, and the
 * socket errors of a lost connection.
 */
export function isTransientStoreError(err: unknown): boolean {
  const code = codeOf(err);
  // 57014: a statement cancelled (its timeout); 55P03: a lock not available in time.
  if (/^(08|53|57P|58)/.test(code) || code === '57014' || code === '55P03') return true;
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENETDOWN|ENOTFOUND|EAI_AGAIN)$/.test(code)) return true;
  const message = (err as Error)?.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(message);
}

/** Unique keys two instances can race for: the second writer runs again and finds the first's row. */
const RACED_KEYS = new Set(['incidents_open_by_group', 'alerts_firing_by_fingerprint']);

/**
 * Two transactions collided: a serialization failure, a deadlock, or two writers inserting the same thing at
 * once (one group's open incident, one fingerprint's firing alert: the unique index refused the second).
 * Running the write again is right: it then finds the other's row.
 */
export function isConflictRetry(err: unknown): boolean {
  const code = codeOf(err);
  return code === '40001' || code === '40P01' || (code === '23505' && RACED_KEYS.has((err as { constraint?: string }).constraint ?? ''));
}

/**
 * A transient fault becomes a 503 with Retry-After, and so does a write that kept colliding with other
 * instances' (the sender tries again later); anything else stays what it is.
 */
export function classifyFault(err: unknown): unknown {
  if (isTransientStoreError(err)) return unavailable('the store is temporarily unavailable; retry shortly', 2);
  if (isConflictRetry(err)) return unavailable('the write kept colliding with another instance’s; retry shortly', 1);
  return err;
}
