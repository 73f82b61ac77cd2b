import type { Clock } from '../time/clock.js';
import type { Logger } from '../observe/logger.js';
import type { CoreMetrics } from '../observe/metrics.js';
import type { NotificationRow, Store, StoreTx } from '../store/types.js';
import type { RuleSet } from '../rules/ruleset.js';
import { fallbackTarget } from './directory.js';
import { formatDuration } from '../time/duration.js';
import { ProviderHealthTracker, type DeliveryHealth } from './delivery-health.js';
import { summaryOf } from './incident-summary.js';
import { recipientOf, storedMessage, writeToOutbox } from './outbox.js';
import { RateLimiter } from './rate-limit.js';
import { render } from './render.js';
import { ChannelError, type Channel, type ChannelName, type Delivery, type IncidentSummary, type MessageKind } from './types.js';

export interface DispatcherOptions {
  /** Quick attempts on one channel (with exponential backoff) before falling back. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** After the quick attempts, a page of an unacknowledged incident is retried this often until it is delivered. */
  slowIntervalMs: number;
  /** Signed acknowledge/resolve links for a recipient, or null when links are not available. */
  links: ((incidentId: number, person: string | null) => { acknowledge: string; resolve: string }) | null;
  /** For fallback routing (people's other addresses). */
  rules: () => RuleSet;
  /** Random in [0, 1): jitter; injected so tests are exact. */
  random?: () => number;
}

/**
 * Delivers the outbox: due messages go to their channel; transient failures are retried with exponential
 * backoff and jitter (or the provider's Retry-After). A page that still fails falls back to the person's next
 * channel, another provider's first (one fallback per person and incident), and the timeline says "delivery
 * degraded"; a page of an incident nobody has acknowledged is never given up on a transient failure: it is
 * retried every `slowIntervalMs` until the provider takes it, or cancelled once the incident is acknowledged or
 * resolved. Every attempt is recorded. Delivery is at least once: a crash between the provider's acceptance and
 * the record sends it again.
 */
export class Dispatcher {
  private readonly limiter = new RateLimiter();
  private readonly health: ProviderHealthTracker;
  private running: Promise<number> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(
    private readonly store: Store,
    private readonly channels: Map<ChannelName, Channel>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: CoreMetrics,
    private readonly options: DispatcherOptions,
  ) {
    this.health = new ProviderHealthTracker((provider, degraded) => {
      this.metrics.deliveryDegraded.set({ provider }, degraded ? 1 : 0);
      if (degraded) this.logger.warn({ provider }, `delivery degraded: ${provider} is failing; pages are retried until it recovers`);
      else this.logger.info({ provider }, `delivery recovered: ${provider} delivers again`);
    });
    for (const c of channels.values()) this.metrics.deliveryDegraded.set({ provider: c.provider }, 0);
  }

  /** Which providers are failing now (/readyz, /metrics). */
  deliveryHealth(): DeliveryHealth {
    return this.health.current();
  }

  /** Called after a commit that wrote messages: deliver now rather than at the next poll. */
  wake(): void {
    if (!this.started) return;
    setImmediate(() => void this.runOnce());
  }

  start(pollMs: number): void {
    this.started = true;
    this.timer = setInterval(() => void this.runOnce(), pollMs);
    this.timer.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await this.running;
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
    const now = this.clock.now();
    const due = await this.store.write((tx) => tx.dueNotifications(now, 200));
    const work: Promise<void>[] = [];
    // Passes never overlap (runOnce), so within one pass a bundle is sent once, by its first due member.
    const bundles = new Set<string>();
    for (const n of due) {
      if (n.bundleKey !== null) {
        if (bundles.has(n.bundleKey)) continue;
        bundles.add(n.bundleKey);
      }
      const slot = this.limiter.take(n.channel as ChannelName, n.address, now);
      if (!slot.ok) continue; // stays due; the next poll takes it
      work.push(this.deliver(n, now));
    }
    await Promise.all(work);
    return work.length;
  }

  private async deliver(first: NotificationRow, now: number): Promise<void> {
    const channel = this.channels.get(first.channel as ChannelName);
    const due = first.bundleKey ? await this.store.write((tx) => tx.bundleMembers(first.bundleKey!, now)) : [first];
    const of = await Promise.all(due.map((m) => (m.incidentId === null ? null : summaryOf(this.store, m.incidentId))));
    // A page being retried is no longer needed once somebody acknowledged or resolved its incident.
    const stale = due.filter((m, i) => PAGE_KINDS.has(m.kind) && m.attempts > 0 && of[i] != null && of[i]!.status !== 'triggered');
    if (stale.length > 0) await this.cancel(stale, of.filter((s): s is IncidentSummary => s !== null));
    const members = due.filter((m) => !stale.includes(m));
    const n = members[0];
    if (!n) return;
    const summaries = of.filter((s, i): s is IncidentSummary => s !== null && !stale.includes(due[i]!));
    const kind: MessageKind = members.length > 1 ? 'bundle' : (n.kind as MessageKind);
    const found = summaries.find((s) => s.id === n.incidentId) ?? summaries[0] ?? null;
    const incident =
      found && kind === 'reminder'
        ? { ...found, progress: await this.progressOf(found, now) }
        : found && (kind === 'page' || kind === 'escalation')
          ? { ...found, remediation: await this.remediationOf(found.id) }
          : found;
    const actions = incident && this.options.links && incident.status !== 'resolved' && (kind === 'page' || kind === 'bundle' || kind === 'escalation' || kind === 'reminder')
      ? this.options.links(incident.id, n.person)
      : null;
    const original = n.channel === 'chat' && n.incidentId !== null && n.kind !== 'page' ? await this.firstChatMessage(n) : null;
    // ---- reports: digests and reviews are rendered when written; the outbox row carries the message.
    const stored = n.kind === 'digest' || n.kind === 'review' || n.kind === 'update' ? await storedMessage(this.store, n.id) : null;
    const delivery: Delivery = {
      notificationId: n.id,
      kind,
      channel: n.channel as ChannelName,
      recipient: recipientOf(n),
      incident,
      rendered: stored ?? (incident ? render(kind, incident, { bundle: summaries, actions }) : { subject: n.kind, text: n.kind, html: '', sms: n.kind, speech: n.kind }),
      idempotencyKey: n.idempotencyKey,
      threadRef: original?.threadRef ?? null,
      actions,
    };
    const started = process.hrtime.bigint();
    try {
      if (!channel) throw new ChannelError('client', `channel ${n.channel} is not available`);
      const result = await channel.send(delivery);
      // The page itself shows the incident's state: rewritten when it is acknowledged or resolved, not by
      // reminders or escalations in its thread (that would take its buttons away while it still pages).
      if (original?.providerId && channel.update && (kind === 'acknowledged' || kind === 'resolved')) {
        await channel.update(delivery, original.providerId).catch(() => undefined);
      }
      const at = this.clock.now();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      await this.store.write(async (tx) => {
        for (const m of members) {
          await tx.updateNotification(m.id, {
            status: 'delivered',
            attempts: m.attempts + 1,
            providerId: result.providerId,
            mode: result.mode,
            threadRef: result.threadRef ?? null,
            deliveredAt: at,
            updatedAt: at,
          });
          await tx.addAttempt({ notificationId: m.id, at, outcome: 'delivered', errorKind: null, error: null, durationMs: ms });
        }
        if (n.incidentId !== null && (kind === 'page' || kind === 'bundle' || kind === 'escalation')) {
          for (const m of members) {
            if (m.incidentId === null) continue;
            await tx.addEvent({
              incidentId: m.incidentId,
              at,
              kind: 'notified',
              actor: 'vigil',
              source: n.channel,
              message: `${kind === 'bundle' ? 'bundled page' : kind} sent to ${n.recipientName} by ${n.channel}${result.mode === 'log' ? ' (log mode: no credentials)' : ''}${m.attempts > 0 ? ` after ${m.attempts + 1} attempts` : ''}`,
              data: { notificationId: m.id, channel: n.channel, person: n.person, mode: result.mode },
            });
          }
        }
      });
      this.metrics.notificationsTotal.inc({ channel: n.channel, outcome: 'delivered', reason: result.mode });
      if (channel.live) this.health.delivered(channel.provider);
      if (incident && n.kind === 'page') this.metrics.notificationLatency.observe({ channel: n.channel }, Math.max(0, at - incident.createdAt) / 1000);
    } catch (err) {
      const e = err instanceof ChannelError ? err : new ChannelError('server', (err as Error)?.message ?? String(err));
      if (channel) this.health.failed(channel.provider, e.kind, e.message, this.clock.now());
      await this.failed(members, n, e, Number(process.hrtime.bigint() - started) / 1e6);
    }
  }

  /** Pages left unsent because their incident was acknowledged or resolved while they waited for a retry. */
  private async cancel(stale: NotificationRow[], incidents: IncidentSummary[]): Promise<void> {
    const at = this.clock.now();
    await this.store.write(async (tx) => {
      for (const m of stale) {
        const i = incidents.find((x) => x.id === m.incidentId);
        const why = i?.status === 'resolved' ? `resolved${i.resolvedBy ? ` by ${i.resolvedBy}` : ''}` : `acknowledged${i?.acknowledgedBy ? ` by ${i.acknowledgedBy}` : ''}`;
        const message = `not sent: the incident was ${why} before ${m.channel} delivered`;
        await tx.updateNotification(m.id, { status: 'cancelled', errorKind: 'cancelled', lastError: message, updatedAt: at });
        await tx.addAttempt({ notificationId: m.id, at, outcome: 'cancelled', errorKind: null, error: message, durationMs: 0 });
        await tx.addEvent({
          incidentId: m.incidentId!,
          at,
          kind: 'notification_cancelled',
          actor: 'vigil',
          source: m.channel,
          message: `${m.kind} to ${m.recipientName} by ${m.channel} ${message}`,
          data: { notificationId: m.id, channel: m.channel, person: m.person, attempts: m.attempts },
        });
      }
    });
    for (const m of stale) this.metrics.notificationsTotal.inc({ channel: m.channel, outcome: 'cancelled', reason: 'incident_' + (incidents.find((x) => x.id === m.incidentId)?.status ?? 'gone') });
  }

  private async failed(members: NotificationRow[], n: NotificationRow, e: ChannelError, ms: number): Promise<void> {
    const at = this.clock.now();
    const attempts = n.attempts + 1;
    const quick = e.transient && attempts < this.options.attempts;
    const isPage = PAGE_KINDS.has(n.kind);
    const { retry, delay, slow } = await this.store.write(async (tx) => {
      // Past the quick attempts, a page keeps trying while somebody still has to be woken.
      const open = isPage && e.transient && !quick ? await this.anyUnacknowledged(tx, members) : false;
      const slow = !quick && open;
      const retry = quick || slow;
      const delay = quick ? this.backoff(attempts, e.retryAfterMs) : slow ? Math.max(this.options.slowIntervalMs, e.retryAfterMs ?? 0) : 0;
      for (const m of members) {
        await tx.updateNotification(m.id, {
          status: retry ? 'pending' : 'failed',
          attempts: m.attempts + 1,
          dueAt: retry ? at + delay : m.dueAt,
          errorKind: e.kind,
          lastError: e.message.slice(0, 500),
          updatedAt: at,
        });
        await tx.addAttempt({ notificationId: m.id, at, outcome: retry ? 'retry' : 'failed', errorKind: e.kind, error: e.message.slice(0, 500), durationMs: ms });
      }
      // The quick attempts are over (or were pointless): fall back once, and say on the timeline what happens next.
      if (isPage && !quick && n.attempts < this.options.attempts) await this.fallBack(tx, members, n, e, at, slow);
      return { retry, delay, slow };
    });
    this.metrics.notificationsTotal.inc({ channel: n.channel, outcome: retry ? 'retry' : 'failed', reason: e.kind });
    this.logger.warn({ notification: n.id, channel: n.channel, kind: e.kind, retry, slow, attempts }, `delivery failed: ${e.message}`);
    if (retry) this.wakeAt(at + delay);
    else this.wake();
  }

  private async anyUnacknowledged(tx: StoreTx, members: NotificationRow[]): Promise<boolean> {
    for (const m of members) {
      if (m.incidentId !== null && (await tx.getIncident(m.incidentId))?.status === 'triggered') return true;
    }
    return false;
  }

  /**
   * One fallback message per person and incident cycle, on a channel the person is not already reached on,
   * another provider's first; the timeline says what failed, what is tried instead and whether the failed
   * channel keeps being retried.
   */
  private async fallBack(tx: StoreTx, members: NotificationRow[], n: NotificationRow, e: ChannelError, at: number, slow: boolean): Promise<void> {
    const rules = this.options.rules();
    for (const m of members) {
      if (m.incidentId === null) continue;
      const incident = await tx.getIncident(m.incidentId);
      const pages = await tx.pagesOf(m.incidentId);
      const others = pages.filter((p) => p.person !== null && p.person === m.person && p.id !== m.id);
      const reached = new Set(others.filter((p) => p.status === 'pending' || p.status === 'delivered').map((p) => p.channel as ChannelName));
      const delivered = [...new Set(others.filter((p) => p.status === 'delivered').map((p) => p.channel))];
      const next = fallbackTarget(rules, m.person, m.channel as ChannelName, incident?.team ?? null, {
        providerOf: (c) => this.channels.get(c)?.provider,
        reached,
      });
      const inserted =
        next &&
        (await writeToOutbox(
          tx,
          {
            kind: m.kind as MessageKind,
            incidentId: m.incidentId,
            to: next,
            idempotencyKey: `incident:${m.incidentId}:fallback:${incident?.reopenCount ?? 0}:${m.person}`,
            dueAt: at,
            fallbackOf: m.id,
          },
          at,
        )) !== null;
      const meanwhile = inserted
        ? `; trying ${next!.channel}`
        : next
          ? '; a fallback was already sent'
          : delivered.length > 0
            ? `; reached by ${delivered.join(', ')}`
            : '; no other channel left';
      const then = slow ? `; retrying ${n.channel} every ${formatDuration(this.options.slowIntervalMs)} while the incident is unacknowledged` : '';
      await tx.addEvent({
        incidentId: m.incidentId,
        at,
        kind: 'delivery_degraded',
        actor: 'vigil',
        source: n.channel,
        message: `delivery degraded: ${n.channel} to ${m.recipientName} failed${m.attempts > 0 ? ` ${m.attempts + 1} times` : ''} (${e.kind}: ${e.message.slice(0, 200)})${meanwhile}${then}`,
        data: { notificationId: m.id, channel: n.channel, errorKind: e.kind, fallback: inserted ? next!.channel : null, retrying: slow },
      });
    }
  }

  /** Exponential backoff with full jitter, never less than the provider's Retry-After. */
  private backoff(attempt: number, retryAfterMs?: number): number {
    const cap = Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** (attempt - 1));
    const jittered = Math.round(cap / 2 + (this.options.random ?? Math.random)() * (cap / 2));
    return Math.max(jittered, retryAfterMs ?? 0);
  }

  private wakeAt(at: number): void {
    if (!this.started) return;
    setTimeout(() => void this.runOnce(), Math.max(0, at - this.clock.now())).unref();
  }

  private async firstChatMessage(n: NotificationRow): Promise<NotificationRow | null> {
    return this.store.firstChatMessage(n.incidentId!, n.address);
  }

  /** What runbooks tried before this page went out (a held page carries the evidence), latest last. */
  private async remediationOf(incidentId: number): Promise<string[]> {
    return (await this.store.latestEvents(incidentId, REMEDIATION_KINDS, 20))
      .filter((e) => e.kind !== 'runbook_step' || (e.data as { step?: { ok?: boolean } } | null)?.step?.ok === false)
      .slice(0, 5)
      .reverse()
      .map((e) => e.message);
  }

  /** What a progress report tells: time open and the latest updates people and runbooks recorded. */
  private async progressOf(i: IncidentSummary, now: number): Promise<NonNullable<IncidentSummary['progress']>> {
    const updates = (await this.store.latestEvents(i.id, PROGRESS_KINDS, PROGRESS_UPDATES)).map((e) => ({ at: e.at, by: e.actor, text: e.message }));
    return { openForMs: Math.max(0, now - i.createdAt), updates };
  }
}

/** Messages that page someone: never given up while their incident is unacknowledged. */
const PAGE_KINDS = new Set(['page', 'escalation']);

/** Timeline events a progress report shows: what people said and did, and what runbooks achieved. */
const PROGRESS_KINDS = ['note', 'acknowledged', 'escalated', 'runbook_finished'];
/** What a page shows of runbooks: outcomes, refusals and the steps that failed. */
const REMEDIATION_KINDS = ['runbook_finished', 'runbook_refused', 'runbook_step'];
const PROGRESS_UPDATES = 3;
