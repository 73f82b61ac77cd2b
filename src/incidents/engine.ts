import type { Alert } from '../alerts/alert.js';
import { moreUrgent, severityRank, type Priority } from '../alerts/severity.js';
import type { Clock } from '../time/clock.js';
import { conflict, notFound } from '../errors/errors.js';
import type { AlertRow, AlertState, IncidentRow, Store, StoreTx } from '../store/types.js';
import { formatDuration } from '../time/duration.js';
import { alertLabel, groupKeyOf, type GroupBy } from '../rules/grouping.js';
import { evaluate, explain, type AlertFacts, type Decision } from '../rules/evaluate.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { SilenceRow } from '../rules/suppression-types.js';
import type { PagingPort } from './paging-port.js';
import { IncidentTimers } from './timers.js';
import { SuppressionPass } from './suppression-pass.js';
import { randomUUID } from 'node:crypto';

export interface EngineOptions {
  groupBy: GroupBy;
  flapWindowMs: number;
  /** The rules in force; read on every decision so a reload takes effect at once. */
  rules: () => RuleSet;
  /** Writes pages and notices to the outbox; absent, nobody is notified (tests of the core alone). */
  planner?: PagingPort;
  /** Called after a commit that wrote to the outbox. */
  onOutbox?: () => void;
  /** Counts SLA breaches (vigil_sla_breaches_total). */
  onSlaBreach?: (priority: string, kind: 'ack' | 'resolve') => void;
  /** Queues runbooks; absent, rules' runbooks are not run. */
  remediation?: RemediationPort;
}

/** The engine's door to auto-remediation: runs are queued in the transaction that opened the incident cycle. */
export interface RemediationPort {
  /** Queues the named runbooks for the incident, as triggered by the alert; returns how many were queued. */
  enqueue(tx: StoreTx, incident: IncidentRow, runbooks: string[], alert: Alert, now: number): Promise<number>;
}

export type AlertOutcome = 'created' | 'attached' | 'reopened' | 'refreshed' | 'resolved' | 'ignored';

export interface IngestResult {
  accepted: number;
  outcomes: AlertOutcome[];
  incidentIds: number[];
}

export interface Actor {
  /** The person (or sender) acting. */
  by: string;
  /** Their name in the timeline's words, when known (a person signed in to the console or the API). */
  name?: string;
  /** The door it came through: api, pagerduty, ... */
  source: string;
  note?: string;
}

/** What the HTTP doors may ask of the engine. */
export interface EnginePort {
  ingest(alerts: Alert[]): Promise<IngestResult>;
  acknowledge(id: number, actor: Actor): Promise<IncidentRow>;
  acknowledgeAlert(fingerprint: string, actor: Actor): Promise<IncidentRow | null>;
  resolve(id: number, actor: Actor): Promise<IncidentRow>;
  resolveAlertByFingerprint(fingerprint: string, actor: Actor): Promise<boolean>;
  escalateNow(id: number, actor: Actor): Promise<IncidentRow>;
  addNote(id: number, actor: Actor & { text: string }): Promise<{ incidentId: number; at: number; by: string; text: string }>;
  createSilence(silence: NewSilence): Promise<SilenceRow>;
  expireSilence(id: string, by: string): Promise<SilenceRow>;
}

export interface NewSilence {
  matchers: string[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

/**
 * Turns alerts into incidents: grouping, deduplication, flapping and the state machine
 * triggered → acknowledged → resolved. Every change is a timeline event, written in the same
 * transaction as the change itself.
 */
export class IncidentEngine implements EnginePort {
  /** Receipts of repeats that changed nothing, written in batches (see refresh). */
  private readonly receipts = new Map<number, { at: number; count: number }>();

  /** Silences, maintenance windows and inhibition applied to firing alerts, and kept current as time passes. */
  private readonly suppressions: SuppressionPass;
  private readonly ready: Promise<void>;
  private readonly timers: IncidentTimers;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: EngineOptions,
  ) {
    this.suppressions = new SuppressionPass({
      store,
      clock,
      rules: options.rules,
      pageIfDue: (tx, incident, decision, now) => this.pageIfDue(tx, incident, decision, now),
      decide: (alert) => this.decide(alert),
    });
    this.ready = this.loadMirrors();
    this.timers = new IncidentTimers({
      store,
      clock,
      options,
      pageIfDue: (tx, incident, decision, now) => this.pageIfDue(tx, incident, decision, now),
      decide: (alert) => this.decide(alert),
      endHold: (tx, incident, why, now) => this.endHold(tx, incident, why, now),
    });
  }

  /** Fills the in-memory mirrors (silences, inhibiting alerts) from the store; again after a rules reload. */
  async loadMirrors(): Promise<void> {
    await this.suppressions.load(await this.store.listSilences(this.clock.now()), await this.store.allFiringAlerts());
  }

  /** Applies one request's alerts in one durable write. */
  async ingest(alerts: Alert[]): Promise<IngestResult> {
    await this.ready;
    return this.store.write(async (tx) => {
      const outcomes: AlertOutcome[] = [];
      const incidentIds = new Set<number>();
      for (const alert of alerts) {
        const { outcome, incidentId } = await this.applyAlert(tx, alert);
        outcomes.push(outcome);
        if (incidentId !== null) incidentIds.add(incidentId);
      }
      return { accepted: alerts.length, outcomes, incidentIds: [...incidentIds] };
    });
  }

  private async applyAlert(tx: StoreTx, alert: Alert): Promise<{ outcome: AlertOutcome; incidentId: number | null }> {
    const now = alert.receivedAt;
    const current = await tx.currentAlertState(alert.fingerprint);
    if (alert.status === 'resolved') {
      if (!current || current.status === 'resolved') return { outcome: 'ignored', incidentId: current?.incidentId ?? null };
      const row = (await tx.getAlert(current.id))!;
      await this.resolveAlert(tx, row, {
        at: now,
        endsAt: alert.endsAt !== null && alert.endsAt <= now ? alert.endsAt : now,
        kind: 'alert_resolved',
        message: `${alertLabel(row.labels)} resolved`,
        source: alert.source,
        actor: alert.source,
      });
      return { outcome: 'resolved', incidentId: current.incidentId };
    }

    if (current?.status === 'firing') {
      await this.refresh(tx, current, alert);
      return { outcome: 'refreshed', incidentId: current.incidentId };
    }
    // A person resolved this occurrence by hand; its repeats (same startsAt) must not page again.
    if (current && current.resolvedBy !== null && current.startsAt === alert.startsAt) {
      this.noteReceipt(current.id, now);
      return { outcome: 'ignored', incidentId: current.incidentId };
    }
    return this.fire(tx, alert, current);
  }

  /**
   * A repeat of a firing alert. Senders repeat constantly (Prometheus on every evaluation), so a repeat
   * that changes nothing writes nothing now: its receipt time is batched by the scheduler.
   */
  private async refresh(tx: StoreTx, current: AlertState, alert: Alert): Promise<void> {
    const annotationsJson = JSON.stringify(alert.annotations);
    const valuesJson = alert.values === null ? current.valuesJson : JSON.stringify(alert.values);
    // The labels of one fingerprint do not change, so neither does the rules' decision, unless the sender
    // changes the severity of a kept fingerprint (a PagerDuty re-trigger).
    const decision = alert.rawSeverity !== current.rawSeverity ? this.decide(alert) : null;
    const raised = decision !== null && severityRank(decision.severity) < severityRank(current.severity);
    const detailsChanged = current.annotationsJson !== annotationsJson || current.valuesJson !== valuesJson;
    if (decision === null && !detailsChanged && current.endsAt === alert.endsAt && current.expiresAt === alert.expiresAt) {
      this.noteReceipt(current.id, alert.receivedAt);
      return;
    }
    await tx.refreshAlert(current.id, {
      endsAt: alert.endsAt,
      expiresAt: alert.expiresAt,
      lastReceivedAt: alert.receivedAt,
      ...(detailsChanged ? { annotationsJson, ...(valuesJson === null ? {} : { valuesJson }) } : {}),
      ...(decision ? { severity: raised ? decision.severity : current.severity, rawSeverity: alert.rawSeverity } : {}),
    });
    if (raised) {
      const incident = await tx.getIncident(current.incidentId);
      if (incident) await this.raiseSeverity(tx, incident, decision, alert);
    }
  }

  private noteReceipt(alertId: number, at: number): void {
    const r = this.receipts.get(alertId);
    if (r) {
      r.at = Math.max(r.at, at);
      r.count++;
    } else this.receipts.set(alertId, { at, count: 1 });
  }

  /**
   * Writes the batched receipts of unchanged repeats (lastReceivedAt, receiveCount), in small writes so
   * ingest commits can slip in between and no request waits behind thousands of updates.
   */
  async flushReceipts(chunk = 250): Promise<number> {
    if (this.receipts.size === 0) return 0;
    const batch = [...this.receipts].map(([id, r]) => ({ id, ...r }));
    this.receipts.clear();
    for (let i = 0; i < batch.length; i += chunk) {
      const part = batch.slice(i, i + chunk);
      await this.store.write((tx) => tx.addReceipts(part));
    }
    return batch.length;
  }

  private async fire(
    tx: StoreTx,
    alert: Alert,
    previous: AlertState | undefined,
  ): Promise<{ outcome: AlertOutcome; incidentId: number }> {
    const now = alert.receivedAt;
    const decision = this.decide(alert);
    const groupKey = groupKeyOf(alert.labels, decision.groupBy);
    let outcome: AlertOutcome = 'attached';
    let incident = await tx.openIncidentByGroupKey(groupKey);
    if (!incident) {
      const recent = await tx.lastResolvedIncidentByGroupKey(groupKey);
      if (recent && recent.resolvedAt !== null && now - recent.resolvedAt <= this.options.flapWindowMs) {
        incident = await this.reopen(tx, recent, alert);
        outcome = 'reopened';
      } else {
        incident = await tx.insertIncident({
          groupKey,
          title: decision.title,
          status: 'triggered',
          severity: decision.severity,
          priority: decision.priority,
          team: decision.team,
          service: decision.service,
          source: alert.source,
          alertCount: 0,
          firingCount: 0,
          suppressedCount: 0,
          pagedAt: null,
          policy: decision.policy,
          escalationTier: 1,
          escalationRound: 0,
          ackSlaBreached: false,
          resolveSlaBreached: false,
          holdUntil: null,
          selfHealed: false,
          flapping: false,
          reopenCount: 0,
          createdAt: now,
          updatedAt: now,
          acknowledgedAt: null,
          acknowledgedBy: null,
          resolvedAt: null,
          resolvedBy: null,
        });
        await tx.addEvent({
          incidentId: incident.id,
          at: now,
          kind: 'triggered',
          actor: alert.source,
          source: alert.source,
          message: `incident opened: ${incident.title}`,
          data: { groupKey, severity: decision.severity, priority: incident.priority },
        });
        // "Why was I paged": the rules' decision, in words and in data.
        await tx.addEvent({
          incidentId: incident.id,
          at: now,
          kind: 'classified',
          actor: 'vigil',
          source: 'rules',
          message: explain(decision),
          data: decisionData(decision),
        });
        outcome = 'created';
      }
    }

    const fields = {
      source: alert.source,
      status: 'firing' as const,
      severity: decision.severity,
      rawSeverity: alert.rawSeverity,
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
      expiresAt: alert.expiresAt,
      generatorURL: alert.generatorURL,
      links: alert.links,
      values: alert.values,
      lastReceivedAt: now,
      resolvedAt: null,
      resolvedBy: null,
      suppressedBy: this.suppressions.find(alert, now),
    };
    const sameRow = previous && previous.incidentId === incident.id;
    if (sameRow) {
      const row = (await tx.getAlert(previous.id))!;
      await tx.updateAlert(previous.id, { ...fields, receiveCount: row.receiveCount + 1 });
    } else {
      await tx.insertAlert({ ...fields, fingerprint: alert.fingerprint, incidentId: incident.id, firstReceivedAt: now, receiveCount: 1 });
    }
    const patch: Partial<IncidentRow> = {
      firingCount: incident.firingCount + 1,
      suppressedCount: incident.suppressedCount + (fields.suppressedBy ? 1 : 0),
      alertCount: incident.alertCount + (sameRow ? 0 : 1),
      updatedAt: now,
    };
    await tx.updateIncident(incident.id, patch);
    Object.assign(incident, patch);

    await tx.addEvent({
      incidentId: incident.id,
      at: now,
      kind: 'alert_firing',
      actor: alert.source,
      source: alert.source,
      message: `${alertLabel(alert.labels)} firing`,
      data: {
        fingerprint: alert.fingerprint,
        labels: alert.labels,
        startsAt: new Date(alert.startsAt).toISOString(),
        severity: decision.severity,
        matchedRules: decision.matchedRules,
      },
    });
    if (fields.suppressedBy) await this.suppressions.note(tx, incident.id, alert.labels, fields.suppressedBy, alert.source, now);
    tx.afterCommit(() => this.suppressions.alertFiring(alert.fingerprint, alert.labels));
    if (!decision.severityKnown) {
      await tx.addEvent({
        incidentId: incident.id,
        at: now,
        kind: 'severity_unknown',
        actor: 'vigil',
        source: alert.source,
        message:
          alert.rawSeverity == null
            ? `${alertLabel(alert.labels)} has no severity; treated as warning`
            : `${alertLabel(alert.labels)} has unknown severity "${alert.rawSeverity}"; treated as warning`,
        data: { rawSeverity: alert.rawSeverity },
      });
    }
    if (outcome !== 'created') await this.raiseSeverity(tx, incident, decision, alert);
    if (outcome === 'created' || outcome === 'reopened') await this.remediate(tx, incident, decision, alert, now);
    await this.pageIfDue(tx, incident, decision, now);
    return { outcome, incidentId: incident.id };
  }

  /**
   * Queues the rules' runbooks for a new incident cycle. With the policy's holdPageFor, the page waits while
   * they try: resolved by then, the incident closes as self-healed; otherwise it pages when the hold ends (or
   * at once, when a run fails or is refused).
   */
  private async remediate(tx: StoreTx, incident: IncidentRow, decision: Decision, alert: Alert, now: number): Promise<void> {
    const remediation = this.options.remediation;
    if (!remediation || decision.runbooks.length === 0) return;
    const queued = await remediation.enqueue(tx, incident, decision.runbooks, alert, now);
    const hold = decision.policy.holdPageFor;
    if (queued === 0 || hold === null || hold <= 0 || incident.pagedAt !== null) return;
    incident.holdUntil = now + hold;
    await tx.updateIncident(incident.id, { holdUntil: incident.holdUntil });
    await tx.setTimer(incident.id, 'hold', incident.holdUntil);
    await tx.addEvent({
      incidentId: incident.id,
      at: now,
      kind: 'page_held',
      actor: 'vigil',
      source: 'runbooks',
      message: `page held for ${formatDuration(hold)} while ${decision.runbooks.join(', ')} ${decision.runbooks.length === 1 ? 'tries' : 'try'} a fix`,
      data: { runbooks: decision.runbooks, until: incident.holdUntil },
    });
  }

  /**
   * Ends a page hold early (a run failed, asked to escalate, or was refused) and pages now, with the reason
   * on the timeline. Nothing happens when the incident is no longer held.
   */
  releaseHold(incidentId: number, why: string): Promise<void> {
    return this.store.write(async (tx) => {
      const incident = await tx.getIncident(incidentId);
      if (!incident || incident.holdUntil === null || incident.status === 'resolved') return;
      await this.endHold(tx, incident, why, this.clock.now());
    });
  }

  private async endHold(tx: StoreTx, incident: IncidentRow, why: string, now: number): Promise<void> {
    incident.holdUntil = null;
    await tx.updateIncident(incident.id, { holdUntil: null });
    await tx.clearTimers(incident.id, ['hold']);
    await tx.addEvent({ incidentId: incident.id, at: now, kind: 'hold_ended', actor: 'vigil', source: 'runbooks', message: `${why}: paging`, data: null });
    const alerts = await tx.firingAlertsOf(incident.id);
    if (alerts[0]) await this.pageIfDue(tx, incident, this.decide(alerts[0]), now);
  }

  private async reopen(tx: StoreTx, incident: IncidentRow, alert: Alert): Promise<IncidentRow> {
    const now = alert.receivedAt;
    const after = incident.resolvedAt === null ? 0 : now - incident.resolvedAt;
    const patch: Partial<IncidentRow> = {
      status: 'triggered',
      flapping: true,
      reopenCount: incident.reopenCount + 1,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      pagedAt: null,
      escalationTier: 1,
      escalationRound: 0,
      holdUntil: null,
      selfHealed: false,
      updatedAt: now,
    };
    await tx.updateIncident(incident.id, patch);
    await tx.addEvent({
      incidentId: incident.id,
      at: now,
      kind: 'reopened',
      actor: alert.source,
      source: alert.source,
      message: `fired again ${formatDuration(after)} after resolving; reopened and marked flapping`,
      data: { reopenCount: incident.reopenCount + 1 },
    });
    return { ...incident, ...patch };
  }

  private async raiseSeverity(tx: StoreTx, incident: IncidentRow, decision: Decision, alert: Alert) {
    const severity = moreUrgent(incident.severity, decision.severity);
    const priority = morePressing(incident.priority, decision.priority);
    if (severity === incident.severity && priority === incident.priority) return;
    await tx.updateIncident(incident.id, { severity, priority, updatedAt: alert.receivedAt });
    await tx.addEvent({
      incidentId: incident.id,
      at: alert.receivedAt,
      kind: 'severity_changed',
      actor: alert.source,
      source: alert.source,
      message: `raised from ${incident.severity} ${incident.priority} to ${severity} ${priority} by ${alertLabel(alert.labels)}: ${explain(decision)}`,
      data: { from: incident.severity, to: severity, fromPriority: incident.priority, toPriority: priority, ...decisionData(decision) },
    });
    incident.severity = severity;
    incident.priority = priority;
    // A more urgent policy pages again, under its own rules (a warning's email becomes a critical's call).
    if (incident.pagedAt !== null && incident.status === 'triggered') {
      incident.pagedAt = null;
      await tx.updateIncident(incident.id, { pagedAt: null });
      await this.pageIfDue(tx, incident, decision, alert.receivedAt);
    }
  }

  /**
   * Pages the incident's cycle once: when it is triggered, not yet paged, and at least one firing alert is
   * not suppressed. Called after every change that could make that true.
   */
  private async pageIfDue(tx: StoreTx, incident: IncidentRow, decision: Decision, now: number): Promise<void> {
    const planner = this.options.planner;
    if (!planner || incident.status !== 'triggered' || incident.pagedAt !== null) return;
    if (incident.firingCount <= incident.suppressedCount) return;
    if (incident.holdUntil !== null && incident.holdUntil > now) return;
    const cause = `${incident.reopenCount}-${incident.severity}`;
    const policy = decision.policy;
    const { planned, missing } = await planner.page(tx, incident, policy, cause, now);
    await tx.updateIncident(incident.id, { pagedAt: now, policy });
    incident.pagedAt = now;
    incident.policy = policy;
    await this.timers.start(tx, incident, policy, now);
    const who = decision.policy.notify.map((n) => `${n.role} by ${n.channels.join(', ')}`).join('; ');
    await tx.addEvent({
      incidentId: incident.id,
      at: now,
      kind: 'paging',
      actor: 'vigil',
      source: 'notify',
      message:
        decision.policy.notify.length === 0
          ? 'no page: this severity goes to the digest only'
          : `paging ${who}: ${planned} message${planned === 1 ? '' : 's'}${decision.policy.bundleWindow ? `, bundled within ${formatDuration(decision.policy.bundleWindow)}` : ''}${missing.length ? `; not reachable: ${missing.join('; ')}` : ''}`,
      data: { planned, missing },
    });
    if (planned > 0) tx.afterCommit(() => this.options.onOutbox?.());
  }

  /** The incident timers that are due (a scheduler job); see IncidentTimers.run. */
  async runTimers(chunk = 500, budgetMs = 3000): Promise<number> {
    await this.ready;
    return this.timers.run(chunk, budgetMs);
  }

  /** "Press 5": page the next tier now. */
  escalateNow(id: number, actor: Actor): Promise<IncidentRow> {
    return this.store.write(async (tx) => {
      const incident = await this.mustGet(tx, id);
      if (incident.status === 'resolved') throw conflict(`incident ${id} is resolved`);
      await this.timers.escalateNow(tx, incident, who(actor), this.clock.now());
      return incident;
    });
  }

  private async notifyOutcome(tx: StoreTx, incident: IncidentRow, kind: 'acknowledged' | 'resolved', now: number): Promise<void> {
    const planner = this.options.planner;
    if (!planner) return;
    if ((await planner.outcome(tx, incident, kind, now)) > 0) tx.afterCommit(() => this.options.onOutbox?.());
  }

  private decide(alert: AlertFacts): Decision {
    return evaluate(this.options.rules(), alert, this.options.groupBy);
  }

  private async resolveAlert(
    tx: StoreTx,
    alert: AlertRow,
    how: { at: number; endsAt: number; kind: string; message: string; source: string; actor: string },
  ): Promise<void> {
    await tx.updateAlert(alert.id, {
      status: 'resolved',
      endsAt: how.endsAt,
      expiresAt: null,
      resolvedAt: how.at,
      lastReceivedAt: how.kind === 'alert_expired' ? alert.lastReceivedAt : how.at,
    });
    tx.afterCommit(() => this.suppressions.alertResolved(alert.fingerprint));
    const incident = await tx.getIncident(alert.incidentId);
    if (!incident) return;
    const firing = Math.max(0, incident.firingCount - 1);
    const suppressed = Math.max(0, incident.suppressedCount - (alert.suppressedBy ? 1 : 0));
    await tx.updateIncident(incident.id, { firingCount: firing, suppressedCount: suppressed, updatedAt: how.at });
    await tx.addEvent({
      incidentId: incident.id,
      at: how.at,
      kind: how.kind,
      actor: how.actor,
      source: how.source,
      message: how.message,
      data: { fingerprint: alert.fingerprint },
    });
    if (firing === 0 && incident.status !== 'resolved') {
      // Resolved on its own while the page was held for a runbook: nobody was woken.
      const selfHealed = incident.holdUntil !== null && incident.pagedAt === null;
      await tx.updateIncident(incident.id, { status: 'resolved', resolvedAt: how.at, resolvedBy: how.actor, holdUntil: null, selfHealed });
      if (selfHealed) {
        await tx.addEvent({
          incidentId: incident.id,
          at: how.at,
          kind: 'self_healed',
          actor: 'vigil',
          source: 'runbooks',
          message: `closed as self-healed: resolved ${formatDuration(how.at - incident.createdAt)} after it opened, while the page was held for a runbook; nobody was paged`,
          data: null,
        });
      }
      await tx.addEvent({
        incidentId: incident.id,
        at: how.at,
        kind: 'resolved',
        actor: how.actor,
        source: how.source,
        message: 'resolved: all alerts have resolved',
        data: null,
      });
      await tx.clearTimers(incident.id);
      await this.notifyOutcome(tx, { ...incident, status: 'resolved', resolvedAt: how.at, resolvedBy: how.actor }, 'resolved', how.at);
    }
  }

  /** Resolves firing alerts whose lifetime ended without an update (Alertmanager's resolve_timeout). */
  expireDue(limit = 1000): Promise<number> {
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      const due = await tx.dueExpiredAlerts(now, limit);
      for (const alert of due) {
        await this.resolveAlert(tx, alert, {
          at: now,
          endsAt: alert.expiresAt ?? now,
          kind: 'alert_expired',
          message: `${alertLabel(alert.labels)} resolved: no update since ${new Date(alert.lastReceivedAt).toISOString()}`,
          source: 'scheduler',
          actor: 'vigil',
        });
      }
      return due.length;
    });
  }

  acknowledge(id: number, actor: Actor): Promise<IncidentRow> {
    return this.store.write(async (tx) => {
      const incident = await this.mustGet(tx, id);
      if (incident.status === 'resolved') throw conflict(`incident ${id} is resolved and cannot be acknowledged`);
      if (incident.status === 'acknowledged') return incident;
      return this.markAcknowledged(tx, incident, actor);
    });
  }

  /** PagerDuty-style acknowledge by alert: acknowledges the open incident holding the alert, if any. */
  acknowledgeAlert(fingerprint: string, actor: Actor): Promise<IncidentRow | null> {
    return this.store.write(async (tx) => {
      const alert = await tx.currentAlert(fingerprint);
      if (!alert || alert.status !== 'firing') return null;
      const incident = await tx.getIncident(alert.incidentId);
      if (!incident || incident.status !== 'triggered') return incident ?? null;
      return this.markAcknowledged(tx, incident, actor);
    });
  }

  private async markAcknowledged(tx: StoreTx, incident: IncidentRow, actor: Actor): Promise<IncidentRow> {
    const now = this.clock.now();
    const patch = { status: 'acknowledged' as const, acknowledgedAt: now, acknowledgedBy: actor.by, updatedAt: now };
    await tx.updateIncident(incident.id, patch);
    await tx.addEvent({
      incidentId: incident.id,
      at: now,
      kind: 'acknowledged',
      actor: actor.by,
      source: actor.source,
      message: `acknowledged by ${who(actor)}${actor.note ? `: ${actor.note}` : ''}`,
      data: actor.note ? { note: actor.note } : null,
    });
    const updated = { ...incident, ...patch };
    await tx.clearTimers(incident.id, ['escalate', 'ack_sla', 'renotify']);
    if (incident.policy?.reackAfter != null) await tx.setTimer(incident.id, 'reack', now + incident.policy.reackAfter);
    await this.notifyOutcome(tx, updated, 'acknowledged', now);
    return updated;
  }

  /** Resolves by hand: the incident and every alert still firing in it. */
  resolve(id: number, actor: Actor): Promise<IncidentRow> {
    return this.store.write(async (tx) => {
      const incident = await this.mustGet(tx, id);
      if (incident.status === 'resolved') return incident;
      const now = this.clock.now();
      for (const alert of await tx.firingAlertsOf(id)) {
        await tx.updateAlert(alert.id, { status: 'resolved', resolvedAt: now, resolvedBy: actor.by, expiresAt: null });
        tx.afterCommit(() => this.suppressions.alertResolved(alert.fingerprint));
      }
      const patch = {
        status: 'resolved' as const,
        resolvedAt: now,
        resolvedBy: actor.by,
        firingCount: 0,
        suppressedCount: 0,
        holdUntil: null,
        updatedAt: now,
      };
      await tx.updateIncident(id, patch);
      await tx.addEvent({
        incidentId: id,
        at: now,
        kind: 'resolved',
        actor: actor.by,
        source: actor.source,
        message: `resolved by ${who(actor)}${actor.note ? `: ${actor.note}` : ''}`,
        data: actor.note ? { note: actor.note } : null,
      });
      const updated = { ...incident, ...patch };
      await tx.clearTimers(id);
      await this.notifyOutcome(tx, updated, 'resolved', now);
      return updated;
    });
  }

  /** Resolves one alert by fingerprint (PagerDuty resolve); the incident resolves when none fire. */
  resolveAlertByFingerprint(fingerprint: string, actor: Actor): Promise<boolean> {
    return this.store.write(async (tx) => {
      const alert = await tx.currentAlert(fingerprint);
      if (!alert || alert.status !== 'firing') return false;
      const now = this.clock.now();
      await this.resolveAlert(tx, alert, {
        at: now,
        endsAt: now,
        kind: 'alert_resolved',
        message: `${alertLabel(alert.labels)} resolved`,
        source: actor.source,
        actor: actor.by,
      });
      return true;
    });
  }

  addNote(id: number, actor: Actor & { text: string }) {
    return this.store.write((tx) => this.writeNote(tx, id, actor, this.clock.now()));
  }

  /**
   * A note from an inbound event a sender may deliver again (a Slack event): recorded only the first time its
   * key is seen within `windowMs`, in the same write as the note. False when it was already recorded.
   */
  addNoteOnce(id: number, actor: Actor & { text: string }, once: { key: string; windowMs: number }): Promise<boolean> {
    return this.store.write(async (tx) => {
      const now = this.clock.now();
      // An unknown incident throws in writeNote and rolls the key back with the rest of this write.
      if (!(await tx.firstSighting(once.key, now, now - once.windowMs))) return false;
      await this.writeNote(tx, id, actor, now);
      return true;
    });
  }

  private async writeNote(tx: StoreTx, id: number, actor: Actor & { text: string }, now: number) {
    await this.mustGet(tx, id);
    await tx.addEvent({
      incidentId: id,
      at: now,
      kind: 'note',
      actor: actor.by,
      source: actor.source,
      message: actor.text,
      data: null,
    });
    await tx.updateIncident(id, { updatedAt: now });
    return { incidentId: id, at: now, by: actor.by, text: actor.text };
  }

  /** Stores a silence; alerts already firing that it matches are suppressed on the next tick. */
  async createSilence(input: NewSilence): Promise<SilenceRow> {
    await this.ready;
    const now = this.clock.now();
    const row: SilenceRow = { id: randomUUID(), ...input, createdAt: now, updatedAt: now };
    return this.store.write(async (tx) => {
      await tx.insertSilence(row);
      tx.afterCommit(() => this.suppressions.silenceCreated(row));
      return row;
    });
  }

  /** Ends a silence now (Alertmanager's expire); the alerts it muted page again on the next tick. */
  async expireSilence(id: string, by: string): Promise<SilenceRow> {
    await this.ready;
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      const silence = await tx.getSilence(id);
      if (!silence) throw notFound(`silence ${id} not found`);
      if (silence.endsAt <= now) throw conflict(`silence ${id} has already ended`);
      const patch = { endsAt: Math.max(now, silence.startsAt), updatedAt: now, comment: `${silence.comment} (expired by ${by})` };
      await tx.updateSilence(id, patch);
      const updated = { ...silence, ...patch };
      tx.afterCommit(() => this.suppressions.silenceEnded(updated));
      return updated;
    });
  }

  /**
   * Keeps suppression current (a scheduler job): alerts whose silence, window or inhibiting alert has
   * ended page normally again, and alerts that started firing before a new silence, window or
   * inhibiting alert are suppressed. Returns how many alerts changed.
   */
  async checkSuppressions(chunk = 500): Promise<number> {
    await this.ready;
    return this.suppressions.check(chunk);
  }

  /** Silences not yet ended (rules test and the API read them). */
  get silences() {
    return this.suppressions.silences;
  }

  private async mustGet(tx: StoreTx, id: number): Promise<IncidentRow> {
    const incident = await tx.getIncident(id);
    if (!incident) throw notFound(`incident ${id} not found`);
    return incident;
  }
}

/** "Alice Example (console)": the console's actions say where they came from. */
function who(actor: Actor): string {
  return `${actor.name ?? actor.by}${actor.source === 'console' ? ' (console)' : ''}`;
}

function morePressing(a: Priority, b: Priority): Priority {
  return a <= b ? a : b;
}

/** The decision as timeline data (the policy as its parts a person reads). */
function decisionData(d: Decision): Record<string, unknown> {
  return {
    severity: d.severity,
    severityFrom: d.severityFrom,
    priority: d.priority,
    team: d.team,
    teamNote: d.teamNote,
    service: d.service,
    runbooks: d.runbooks,
    matchedRules: d.matchedRules,
    notify: d.policy.notify,
    ackSla: d.policy.ackSla,
    resolveSla: d.policy.resolveSla,
  };
}
