/**
 * Failed sign-ins per client address within a window: past the limit, the address must wait for the window to
 * pass (guessing tokens is slow). Bounded: the oldest addresses are forgotten first.
 */
export class SignInLimiter {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly attempts: number,
    private readonly windowMs: number,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Seconds to wait before this address may try again, or 0. */
  blockedFor(address: string, now: number): number {
    const f = this.failures.get(address);
    if (!f || f.resetAt <= now) return 0;
    return f.count >= this.attempts ? Math.ceil((f.resetAt - now) / 1000) : 0;
  }

  failed(address: string, now: number): void {
    const f = this.failures.get(address);
    if (f && f.resetAt > now) {
      f.count++;
      return;
    }
    this.failures.delete(address);
    if (this.failures.size >= this.maxAddresses) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(address, { count: 1, resetAt: now + this.windowMs });
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
