import type { Config } from '../config/schema.js';
import type { Logger } from '../observe/logger.js';
import type { CoreMetrics } from '../observe/metrics.js';
import type { Notifier } from '../notify/notifier.js';
import { writeToOutbox } from '../notify/outbox.js';
import { digestTargets, reviewTargets } from '../notify/report-recipients.js';
import type { Target } from '../notify/directory.js';
import { readerPreferences } from '../notify/reader-locale.js';
import { renderDigest } from '../reports/digest.js';
import { renderDigestChat } from '../reports/digest-chat.js';
import { oncePerLocale } from '../reports/format.js';
import { nextRun, planRun, scheduleTitle, type DigestConfig, type DigestSchedule } from '../reports/digest-schedule.js';
import { loadReview, loadSummary } from '../reports/load.js';
import type { ReportQueue } from '../reports/report-queue.js';
import { renderReviewEmail } from '../reports/review-email.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { IncidentRow, Store } from '../store/types.js';
import type { Locale } from '../text/messages/catalog.js';
import type { Job } from './scheduler.js';

/**
 * The scheduler's report jobs. Both keep their state in the store, so a restart loses nothing:
 * - 'digests': each schedule's next due time is a row (digest_schedules). When it is due the summary of its
 *   period is computed, rendered and written to the outbox (one row per recipient, the rendered message
 *   stored with it) in the same transaction that moves the due time on. Due times missed while Vigil was
 *   down fold into one digest (planRun). It runs in the background: the next ticks go on meanwhile.
 * - 'reviews': P1 and P2 incidents that resolved and were not reviewed yet get their review draft written
 *   to the outbox, by email, once (incident_reviews).
 */

export interface ReportJobDeps {
  store: Store;
  digests: DigestConfig;
  rules: () => RuleSet;
  /** Vigil's public URL, for links in digests and reviews. */
  baseUrl?: string;
  logger: Logger;
  /** Wakes the dispatcher after messages were written. */
  onOutbox: () => void;
  /** Counts the messages written, by kind (digest, review). */
  onWritten?: (kind: 'digest' | 'review', count: number) => void;
  /** The process's report queue (shared with the summary API); without one, digests compute at once. */
  reports?: ReportQueue;
  /** The language of readers without a locale of their own (notify.locale). */
  locale?: Locale;
}

/** A failed run is tried again after this long rather than on every tick. */
const RETRY_MS = 60_000;
/** Reviews written per tick; the next tick takes the rest. */
const REVIEWS_PER_TICK = 20;

export function digestJob(deps: ReportJobDeps): Job {
  const { store, logger } = deps;
  const log = logger.child({ component: 'digests' });
  /** Each schedule's stored due time, mirrored after the first tick reads (and fixes) the rows. */
  let due: Map<string, number> | null = null;
  const retryAt = new Map<string, number>();

  /** Start-up: a schedule without a row, or whose cron or zone changed, is due at its next time from now. */
  async function sync(now: number): Promise<Map<string, number>> {
    return store.write(async (tx) => {
      const out = new Map<string, number>();
      for (const s of deps.digests.schedules) {
        const row = await tx.digestSchedule(s.name);
        if (row && row.cron === s.cron && row.timeZone === s.timeZone) {
          out.set(s.name, row.dueAt);
          continue;
        }
        const dueAt = nextRun(s.cron, s.timeZone, now);
        await tx.saveDigestSchedule({
          name: s.name,
          cron: s.cron,
          timeZone: s.timeZone,
          dueAt,
          lastRunAt: row?.lastRunAt ?? null,
          lastSince: row?.lastSince ?? null,
          lastUntil: row?.lastUntil ?? null,
        });
        out.set(s.name, dueAt);
      }
      return out;
    });
  }

  async function send(s: DigestSchedule, storedDue: number, now: number): Promise<void> {
    const plan = planRun(s, storedDue, now);
    if (!plan) return;
    const summary = await loadSummary(
      store,
      {
        since: plan.since,
        until: plan.until,
        team: s.team ?? null,
        timeZone: s.timeZone,
        targets: deps.digests.targets,
        nightHours: deps.digests.nightHours,
      },
      { queue: deps.reports },
    );
    const rules = deps.rules();
    const { targets, missing } = digestTargets(rules, s);
    const digestIn = oncePerLocale((r) => {
      const title = scheduleTitle(s, r);
      return { email: renderDigest(summary, { title, baseUrl: deps.baseUrl, reader: r }), chat: renderDigestChat(summary, { title, reader: r }) };
    });
    const messageFor = (t: Target) => {
      const m = digestIn(readerPreferences(rules, t.recipient.person, s.team ?? null, deps).locale);
      return t.channel === 'chat' ? { subject: m.chat.text, text: m.chat.text, blocks: m.chat.blocks } : m.email;
    };
    // Rendered before the write: the transaction (shared with ingest) only stores them.
    const bodies = targets.map(messageFor);
    const dueIso = new Date(plan.due).toISOString();
    const written = await store.write(async (tx) => {
      const row = await tx.digestSchedule(s.name);
      // Moved on (or gone) since it was read: nothing to send; the mirror takes the stored state.
      if (!row || row.dueAt !== storedDue) return { sent: false as const, stored: row?.dueAt ?? null };
      let count = 0;
      for (const [i, t] of targets.entries()) {
        const body = bodies[i]!;
        const key = `digest:${s.name}:${dueIso}:${t.channel}:${t.recipient.address}`;
        if ((await writeToOutbox(tx, { kind: 'digest', incidentId: null, to: t, idempotencyKey: key, dueAt: now, body }, now)) !== null) count++;
      }
      await tx.saveDigestSchedule({ ...row, dueAt: plan.next, lastRunAt: now, lastSince: plan.since, lastUntil: plan.until });
      return { sent: true as const, count };
    });
    if (!written.sent) {
      if (written.stored === null) due = null;
      else due?.set(s.name, written.stored);
      return;
    }
    due?.set(s.name, plan.next);
    deps.onWritten?.('digest', written.count);
    if (written.count > 0) deps.onOutbox();
    log.info(
      {
        schedule: s.name,
        since: new Date(plan.since).toISOString(),
        until: new Date(plan.until).toISOString(),
        missed: plan.missed,
        messages: written.count,
        next: new Date(plan.next).toISOString(),
      },
      `${s.title} written for ${targets.length} recipients${plan.missed > 0 ? ` (folding ${plan.missed} missed runs)` : ''}`,
    );
    if (targets.length === 0) log.warn({ schedule: s.name }, `${s.title} names nobody who can be reached`);
    if (missing.length > 0) log.warn({ schedule: s.name, missing }, `${s.title}: some recipients cannot be reached`);
  }

  return {
    name: 'digests',
    // A report over a busy week takes seconds (more while Vigil is busy): escalations and reminders do not wait for it.
    background: true,
    async run(now) {
      let failure: unknown = null;
      for (const s of deps.digests.schedules) {
        due ??= await sync(now);
        const storedDue = due.get(s.name);
        if (storedDue === undefined || storedDue > now || (retryAt.get(s.name) ?? 0) > now) continue;
        try {
          await send(s, storedDue, now);
          retryAt.delete(s.name);
        } catch (err) {
          retryAt.set(s.name, now + RETRY_MS);
          log.error({ err, schedule: s.name }, `${s.title} failed; trying again in a minute`);
          failure ??= err;
        }
      }
      if (failure) throw failure;
    },
  };
}

export function reviewJob(deps: ReportJobDeps): Job {
  const { store, logger } = deps;
  const log = logger.child({ component: 'reviews' });
  const retryAt = new Map<number, number>();

  async function review(incident: IncidentRow, now: number): Promise<void> {
    const loaded = await loadReview(store, incident.id, deps.baseUrl);
    if (!loaded || loaded.incident.status !== 'resolved' || loaded.incident.resolvedAt === null) return;
    const rules = deps.rules();
    const { targets, missing } = reviewTargets(rules, loaded.incident, loaded.notifications);
    const draftIn = oncePerLocale((r) => renderReviewEmail(loaded.incident, loaded.renderIn(r), deps.baseUrl, r));
    const messageFor = (t: Target) => draftIn(readerPreferences(rules, t.recipient.person, loaded.incident.team, deps).locale);
    const bodies = targets.map(messageFor);
    const written = await store.write(async (tx) => {
      // Reopened since: its review waits for the next resolve.
      const current = await tx.getIncident(incident.id);
      if (current?.status !== 'resolved') return null;
      let count = 0;
      for (const [i, t] of targets.entries()) {
        const key = `review:${incident.id}:${t.channel}:${t.recipient.address}`;
        if ((await writeToOutbox(tx, { kind: 'review', incidentId: incident.id, to: t, idempotencyKey: key, dueAt: now, body: bodies[i]! }, now)) !== null) count++;
      }
      if (!(await tx.markReviewed(incident.id, current.resolvedAt ?? now, now, count))) return null;
      return count;
    });
    if (written === null) return;
    deps.onWritten?.('review', written);
    if (written > 0) deps.onOutbox();
    log.info({ incident: incident.id, messages: written }, `review draft of incident ${incident.id} sent to ${written} recipients`);
    if (missing.length > 0) log.warn({ incident: incident.id, missing }, 'review: some stakeholders cannot be reached');
  }

  return {
    name: 'reviews',
    async run(now) {
      let failure: unknown = null;
      for (const incident of await store.pendingReviews(REVIEWS_PER_TICK)) {
        if ((retryAt.get(incident.id) ?? 0) > now) continue;
        try {
          await review(incident, now);
          retryAt.delete(incident.id);
        } catch (err) {
          retryAt.set(incident.id, now + RETRY_MS);
          log.error({ err, incident: incident.id }, `review of incident ${incident.id} failed; trying again in a minute`);
          failure ??= err;
        }
      }
      if (failure) throw failure;
    },
  };
}

/** Both jobs, wired to the core's store, rules, outbox and metrics. */
export function reportJobs(
  config: Config,
  core: {
    store: Store;
    rules: { readonly current: RuleSet };
    notifier: Pick<Notifier, 'dispatcher'>;
    logger: Logger;
    metrics: CoreMetrics;
    reports: ReportQueue;
  },
): Job[] {
  const deps: ReportJobDeps = {
    store: core.store,
    digests: config.digests,
    rules: () => core.rules.current,
    baseUrl: config.server.publicUrl,
    logger: core.logger,
    onOutbox: () => core.notifier.dispatcher.wake(),
    onWritten: (kind, count) => core.metrics.reportMessages.inc({ kind }, count),
    reports: core.reports,
    locale: config.notify.locale,
  };
  return [digestJob(deps), reviewJob(deps)];
}
