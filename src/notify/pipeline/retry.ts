/** Messages that page someone: never given up while their incident is unacknowledged. */
const PAGE_KINDS = new Set(['page', 'escalation']);

export const isPage = (kind: string) => PAGE_KINDS.has(kind);

export interface RetryPolicy {
  /** Quick attempts on one channel (with exponential backoff) before falling back. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** After the quick attempts, a page of an unacknowledged incident is retried this often until it is delivered. */
  slowIntervalMs: number;
}

/** A failed attempt as the retry decision sees it. */
export interface Failure {
  /** Attempts made before this one. */
  attemptsBefore: number;
  /** Whether trying again can help (a timeout, a 5xx, a rate limit) or not (a bad number). */
  transient: boolean;
  /** The provider's Retry-After, if it sent one. */
  retryAfterMs?: number;
  /** A page or an escalation. */
  page: boolean;
}

/**
 * quick: again soon, with backoff; slow: a page nobody has acknowledged, again every slow interval until the
 * provider takes it; none: given up. fallBack: the quick attempts just ended (or were pointless) for a page, so
 * the person is tried once on another channel.
 */
export type RetryDecision = { retry: 'quick' | 'slow'; delayMs: number; fallBack: boolean } | { retry: 'none'; fallBack: boolean };

const quick = (f: Failure, p: RetryPolicy) => f.transient && f.attemptsBefore + 1 < p.attempts;

/** Whether the decision depends on the incident still being unacknowledged (only then is it worth looking up). */
export function mayRetrySlowly(f: Failure, policy: RetryPolicy): boolean {
  return f.page && f.transient && !quick(f, policy);
}

/** What happens after a failed attempt. `random` (in [0, 1)) is drawn only for a quick retry's jitter. */
export function decideRetry(f: Failure, unacknowledged: boolean, policy: RetryPolicy, random: () => number): RetryDecision {
  const fallBack = f.page && !quick(f, policy) && f.attemptsBefore < policy.attempts;
  if (quick(f, policy)) return { retry: 'quick', delayMs: backoffMs(f.attemptsBefore + 1, policy, random(), f.retryAfterMs), fallBack };
  if (mayRetrySlowly(f, policy) && unacknowledged) return { retry: 'slow', delayMs: Math.max(policy.slowIntervalMs, f.retryAfterMs ?? 0), fallBack };
  return { retry: 'none', fallBack };
}

/** Exponential backoff, jittered between half and all of its cap, never less than the provider's Retry-After. */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'>, random: number, retryAfterMs?: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  const jittered = Math.round(cap / 2 + random * (cap / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}
