import type { Clock } from '../time/clock.js';
import { formatDuration } from '../time/duration.js';
import type { Policy } from '../rules/schema.js';
import type { IncidentRow, Store, StoreTx, TimerKind } from '../store/types.js';
import { decide } from './decide.js';
import type { EngineOptions } from './engine-options.js';
import { endHold } from './holds.js';
import { pageIfDue } from './page.js';
import { escalationPlan } from './timers/escalation-plan.js';

/**
 * The incident timers that are due (a scheduler job): escalation to the next tier when nobody
 * acknowledged, SLA breaches, progress reminders, and re-triggering an acknowledgement left unresolved.
 * Each timer is handled in its own write, so one failing incident does not hold up the others.
 */
export async function runDueTimers(store: Store, clock: Clock, ctx: EngineOptions, chunk = 500, budgetMs = 3000): Promise<number> {
  const now = clock.now();
  const started = Date.now();
  let total = 0;
  // Chunks until nothing is due or the tick's budget is spent. The writes of one chunk share a group
  // commit, each in its own savepoint, so one failing timer is rolled back alone.
  for (;;) {
    const due = await store.write((tx) => tx.dueTimers(now, chunk));
    const results = await Promise.allSettled(
      due.map((t) =>
        store.write(async (tx) => {
          const incident = await tx.getIncident(t.incidentId);
          await tx.clearTimers(t.incidentId, [t.kind]);
          if (!incident || incident.status === 'resolved' || !incident.policy) return;
          await onTimer(ctx, tx, incident, incident.policy, t.kind, t.dueAt, now);
        }),
      ),
    );
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
    total += due.length;
    if (due.length < chunk || Date.now() - started > budgetMs) return total;
  }
}

async function onTimer(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, policy: Policy, kind: TimerKind, dueAt: number, now: number): Promise<void> {
  const event = (k: string, message: string, data: Record<string, unknown> | null = null) =>
    tx.addEvent({ incidentId: incident.id, at: now, kind: k, actor: 'vigil', source: 'scheduler', message, data });
  if (kind === 'ack_sla' && incident.acknowledgedAt === null) {
    await tx.updateIncident(incident.id, { ackSlaBreached: true });
    ctx.onSlaBreach?.(incident.priority, 'ack');
    await event('sla_breached', `acknowledge SLA missed: not acknowledged within ${formatDuration(policy.ackSla ?? 0)} (${incident.priority})`, { kind: 'ack' });
  } else if (kind === 'resolve_sla') {
    await tx.updateIncident(incident.id, { resolveSlaBreached: true });
    ctx.onSlaBreach?.(incident.priority, 'resolve');
    await event('sla_breached', `resolve SLA missed: not resolved within ${formatDuration(policy.resolveSla ?? 0)} (${incident.priority})`, { kind: 'resolve' });
    await escalateTier(ctx, tx, incident, policy, `not resolved within ${formatDuration(policy.resolveSla ?? 0)}`, now);
  } else if (kind === 'escalate' && incident.status === 'triggered') {
    const waited = escalationPlan(ctx, incident, policy)?.tiers[incident.escalationTier - 1]?.delay ?? now - dueAt;
    await escalateTier(ctx, tx, incident, policy, `nobody acknowledged within ${formatDuration(waited)}`, now);
  } else if (kind === 'progress' && policy.progressReminder !== null) {
    const planned = ctx.planner ? await ctx.planner.progress(tx, incident, dueAt, now) : 0;
    await event('progress_reminder', `progress reminder: asked ${planned} recipient${planned === 1 ? '' : 's'} for an update`, { planned });
    await tx.setTimer(incident.id, 'progress', now + policy.progressReminder);
    if (planned > 0) tx.afterCommit(() => ctx.onOutbox?.());
    // Acknowledged, then two intervals without a note: the next tier hears about it. (Unacknowledged
    // incidents already climb the tiers on the escalation timer.)
    const [latest] = incident.status === 'acknowledged' ? await tx.latestNotes(incident.id, 1) : [];
    const lastUpdate = Math.max(latest?.at ?? 0, incident.pagedAt ?? incident.createdAt);
    if (incident.status === 'acknowledged' && now - lastUpdate >= 2 * policy.progressReminder) {
      await escalateTier(ctx, tx, incident, policy, `no update for ${formatDuration(now - lastUpdate)}`, now);
    }
  } else if (kind === 'renotify' && incident.status === 'triggered' && policy.renotify !== null && ctx.planner) {
    // Still unacknowledged: the same roles hear again, under the same policy (bundled if it bundles).
    const { planned } = await ctx.planner.page(tx, incident, policy, `${incident.reopenCount}-renotify-${dueAt}`, now);
    await event('renotified', `not acknowledged yet: notifying again (${planned} message${planned === 1 ? '' : 's'})`, { planned });
    await tx.setTimer(incident.id, 'renotify', now + policy.renotify);
    if (planned > 0) tx.afterCommit(() => ctx.onOutbox?.());
  } else if (kind === 'hold' && incident.holdUntil !== null) {
    await endHold(ctx, tx, incident, `not resolved within the ${formatDuration(policy.holdPageFor ?? now - incident.createdAt)} hold`, now);
  } else if (kind === 'reack' && incident.status === 'acknowledged') {
    const patch = { status: 'triggered' as const, acknowledgedAt: null, acknowledgedBy: null, pagedAt: null, escalationTier: 1, escalationRound: 0, updatedAt: now };
    await tx.updateIncident(incident.id, patch);
    Object.assign(incident, patch);
    await event('retriggered', `acknowledged ${formatDuration(policy.reackAfter ?? 0)} ago but not resolved: paging again`);
    const alerts = await tx.firingAlertsOf(incident.id);
    if (alerts[0]) await pageIfDue(ctx, tx, incident, decide(ctx, alerts[0]), now);
  }
}

/** Pages the next tier (after the last, starting again while the plan repeats) and sets the next timer. */
export async function escalateTier(ctx: EngineOptions, tx: StoreTx, incident: IncidentRow, policy: Policy, why: string, now: number): Promise<void> {
  const plan = escalationPlan(ctx, incident, policy);
  const event = (kind: string, message: string, data: Record<string, unknown> | null) =>
    tx.addEvent({ incidentId: incident.id, at: now, kind, actor: 'vigil', source: 'scheduler', message, data });
  if (!plan) {
    await event('escalation_exhausted', `${why}; this incident has no escalation tiers`, null);
    return;
  }
  let tier = incident.escalationTier + 1;
  let round = incident.escalationRound;
  if (tier > plan.tiers.length) {
    if (round >= plan.repeat) {
      await event('escalation_exhausted', `${why}; every tier has been paged`, { policy: plan.name, rounds: round + 1 });
      return;
    }
    tier = 1;
    round++;
  }
  const step = plan.tiers[tier - 1]!;
  const paged = ctx.planner ? await ctx.planner.escalate(tx, incident, policy, step, tier, round, now) : null;
  await tx.updateIncident(incident.id, { escalationTier: tier, escalationRound: round, updatedAt: now });
  incident.escalationTier = tier;
  incident.escalationRound = round;
  const again = round > 0 ? ` (round ${round + 1})` : '';
  await event(
    'escalated',
    paged ? `escalated to tier ${tier}${again} (${paged.names}): ${why}` : `escalated to tier ${tier}${again}: ${why}; nobody is on call there`,
    { tier, round, paged: paged?.names ?? null, people: paged?.people ?? [], policy: plan.name },
  );
  if (paged) tx.afterCommit(() => ctx.onOutbox?.());
  if (incident.status === 'triggered' && step.delay !== null) await tx.setTimer(incident.id, 'escalate', now + step.delay);
}
