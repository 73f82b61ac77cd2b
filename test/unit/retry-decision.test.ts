import { describe, expect, it } from 'vitest';
import { backoffMs, decideRetry, mayRetrySlowly, type Failure } from '../../src/notify/pipeline/retry.js';

const policy = { attempts: 4, initialDelayMs: 2000, maxDelayMs: 60_000, slowIntervalMs: 300_000 };
const failure = (over: Partial<Failure> = {}): Failure => ({ attemptsBefore: 0, transient: true, page: true, ...over });
/** A random source that says how often it was drawn from. */
function source(value: number) {
  const s = Object.assign(() => (s.draws++, value), { draws: 0 });
  return s;
}

describe('the retry decision', () => {
  it('retries a transient failure quickly while quick attempts are left, without falling back yet', () => {
    expect(decideRetry(failure(), true, policy, source(0))).toEqual({ retry: 'quick', delayMs: 1000, fallBack: false });
    expect(decideRetry(failure({ attemptsBefore: 2 }), true, policy, source(0.5))).toEqual({ retry: 'quick', delayMs: 6000, fallBack: false });
    expect(decideRetry(failure({ page: false }), false, policy, source(0))).toMatchObject({ retry: 'quick' });
  });

  it('waits at least as long as the provider asked', () => {
    expect(decideRetry(failure({ retryAfterMs: 30_000 }), true, policy, source(0.99))).toEqual({ retry: 'quick', delayMs: 30_000, fallBack: false });
    expect(decideRetry(failure({ attemptsBefore: 3, retryAfterMs: 600_000 }), true, policy, source(0))).toEqual({ retry: 'slow', delayMs: 600_000, fallBack: true });
  });

  it('after the last quick attempt, keeps paging slowly while the incident is unacknowledged, and falls back once', () => {
    expect(decideRetry(failure({ attemptsBefore: 3 }), true, policy, source(0))).toEqual({ retry: 'slow', delayMs: 300_000, fallBack: true });
    // Later slow retries do not fall back again.
    expect(decideRetry(failure({ attemptsBefore: 9 }), true, policy, source(0))).toEqual({ retry: 'slow', delayMs: 300_000, fallBack: false });
  });

  it('gives up a page once its incident is acknowledged, and any other message after its quick attempts', () => {
    expect(decideRetry(failure({ attemptsBefore: 3 }), false, policy, source(0))).toEqual({ retry: 'none', fallBack: true });
    expect(decideRetry(failure({ attemptsBefore: 3, page: false }), true, policy, source(0))).toEqual({ retry: 'none', fallBack: false });
  });

  it("never retries the message's own fault; a page falls back at once", () => {
    expect(decideRetry(failure({ transient: false }), true, policy, source(0))).toEqual({ retry: 'none', fallBack: true });
    expect(decideRetry(failure({ transient: false, page: false }), true, policy, source(0))).toEqual({ retry: 'none', fallBack: false });
  });

  it('draws jitter only for a quick retry, and asks about the incident only when a slow retry is possible', () => {
    const random = source(0.5);
    decideRetry(failure({ attemptsBefore: 3 }), true, policy, random);
    decideRetry(failure({ transient: false }), true, policy, random);
    expect(random.draws).toBe(0);
    decideRetry(failure(), true, policy, random);
    expect(random.draws).toBe(1);
    expect([failure(), failure({ transient: false }), failure({ attemptsBefore: 3, page: false })].map((f) => mayRetrySlowly(f, policy))).toEqual([false, false, false]);
    expect(mayRetrySlowly(failure({ attemptsBefore: 3 }), policy)).toBe(true);
  });
});

describe('backoff', () => {
  it('doubles from the initial delay up to the maximum, jittered between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffMs(a, policy, 0.999999))).toEqual([2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect([1, 2, 3].map((a) => backoffMs(a, policy, 0))).toEqual([1000, 2000, 4000]);
    expect(backoffMs(1, policy, 0, 5000)).toBe(5000);
  });
});
