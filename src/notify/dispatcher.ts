import type { Clock } from '../time/clock.js';
import type { Logger } from '../observe/logger.js';
import type { CoreMetrics } from '../observe/metrics.js';
import type { NotificationRow, Store } from '../store/types.js';
import { ProviderHealthTracker, type DeliveryHealth } from './delivery-health.js';
import { membersOf, oneSendPerBundle } from './pipeline/bundle.js';
import { cancelStale, isStale } from './pipeline/cancel-stale.js';
import { claimDue } from './pipeline/claim.js';
import type { DispatcherOptions, PipelineContext } from './pipeline/context.js';
import { paced, RateLimiter } from './pipeline/pace.js';
import { msSince, recordDelivered } from './pipeline/record.js';
import { recordFailure } from './pipeline/record-failure.js';
import { renderSend } from './pipeline/render.js';
import { asChannelError, send } from './pipeline/send.js';
import { providerFor, type Channel, type ChannelName } from './types.js';

export type { DispatcherOptions } from './pipeline/context.js';

/**
 * Delivers the outbox through a pipeline of stages (src/notify/pipeline/): claim the due rows → one send per
 * bundle → pace per provider → per send: its members, cancel the stale ones (a retried page whose incident was
 * answered) → render → send → record, or on failure retry (quick backoff, or slowly for an unacknowledged page) and
 * fall back once to the person's next channel, another provider's first. Every attempt is recorded. Delivery is
 * at least once: a crash between the provider's acceptance and the record sends it again.
 */
export class Dispatcher {
  private readonly limiter = new RateLimiter();
  private readonly ctx: PipelineContext;
  private running: Promise<number> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(store: Store, channels: Map<ChannelName, Channel>, clock: Clock, logger: Logger, metrics: CoreMetrics, options: DispatcherOptions) {
    const health = new ProviderHealthTracker((provider, degraded) => {
      metrics.deliveryDegraded.set({ provider }, degraded ? 1 : 0);
      if (degraded) logger.warn({ provider }, `delivery degraded: ${provider} is failing; pages are retried until it recovers`);
      else logger.info({ provider }, `delivery recovered: ${provider} delivers again`);
    });
    for (const c of channels.values()) for (const provider of c.providers ?? [c.provider]) metrics.deliveryDegraded.set({ provider }, 0);
    this.ctx = { store, channels, clock, logger, metrics, health, options };
  }

  /** Which providers are failing now (/readyz, /metrics). */
  deliveryHealth(): DeliveryHealth {
    return this.ctx.health.current();
  }

  /** Called after a commit that wrote messages: deliver now rather than at the next poll. */
  wake(): void {
    if (!this.started) return;
    setImmediate(() => this.runInBackground());
  }

  start(pollMs: number): void {
    this.started = true;
    this.timer = setInterval(() => this.runInBackground(), pollMs);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    // A failed pass was logged by whoever started it; stopping goes on (receipts flushed, store closed).
    while (this.running) await this.running.catch(() => 0);
  }

  /** A pass nobody awaits: a store that cannot be read now (503) is logged, and the next poll tries again. */
  private runInBackground(): void {
    this.runOnce().catch((err: unknown) => this.ctx.logger.warn({ err }, 'delivery pass failed; the next poll tries again'));
  }

  /** Delivers what is due at the clock's now; returns how many messages were attempted. Tests call this. */
  async runOnce(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      do {
        this.again = false;
        total += await this.pass();
      } while (this.again);
      return total;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    const now = this.ctx.clock.now();
    const sends = paced(this.limiter, oneSendPerBundle(await claimDue(this.ctx.store, now)), now);
    // Every send of the pass ends before the next pass claims: a failing one must not let the next pass take
    // (and send again) the messages still on their way.
    const outcomes = await Promise.allSettled(sends.map((n) => this.deliver(n, now)));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    return sends.length;
  }

  private async deliver(first: NotificationRow, now: number): Promise<void> {
    const ctx = this.ctx;
    const due = await membersOf(ctx.store, first, now);
    const stale = due.filter(isStale);
    if (stale.length > 0) await cancelStale(ctx, stale);
    const sending = due.filter((m) => !isStale(m));
    if (sending.length === 0) return;
    const prepared = await renderSend(ctx, sending, now);
    const channel = ctx.channels.get(prepared.delivery.channel);
    const started = process.hrtime.bigint();
    try {
      const result = await send(channel, prepared);
      // A failure to record counts as a failed attempt: the message is sent again (at least once).
      await recordDelivered(ctx, channel!, prepared, result, started);
    } catch (err) {
      const e = asChannelError(err);
      if (channel) ctx.health.failed(providerFor(channel, prepared.delivery.recipient.address), e.kind, e.message, ctx.clock.now());
      const retryAt = await recordFailure(ctx, prepared.members, e, msSince(started));
      if (retryAt !== null) this.wakeAt(retryAt);
      else this.wake();
    }
  }

  private wakeAt(at: number): void {
    if (!this.started) return;
    setTimeout(() => this.runInBackground(), Math.max(0, at - this.ctx.clock.now())).unref();
  }
}
