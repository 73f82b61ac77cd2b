import type { Alert } from '../alerts/alert.js';
import { mapSeverity, moreUrgent, priorityOf, severityRank } from '../alerts/severity.js';
import type { Clock } from '../core/clock.js';
import { conflict, notFound } from '../core/errors.js';
import type { AlertRow, AlertState, IncidentRow, Store, StoreTx } from '../store/types.js';
import { formatDuration } from '../config/duration.js';
import { alertLabel, groupKeyOf, titleOf, type GroupBy } from './grouping.js';

export interface EngineOptions {
  groupBy: GroupBy;
  flapWindowMs: number;
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
  addNote(id: number, actor: Actor & { text: string }): Promise<{ incidentId: number; at: number; by: string; text: string }>;
}

/**
 * Turns alerts into incidents: grouping, deduplication, flapping and the state machine
 * triggered → acknowledged → resolved. Every change is a timeline event, written in the same
 * transaction as the change itself.
 */
export class IncidentEngine implements EnginePort {
  /** Receipts of repeats that changed nothing, written in batches (see refresh). */
  private readonly receipts = new Map<number, { at: number; count: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: EngineOptions,
  ) {}

  /** Applies one request's alerts in one durable write. */
  ingest(alerts: Alert[]): Promise<IngestResult> {
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
    const { severity } = mapSeverity(alert.rawSeverity);
    const raised = severityRank(severity) < severityRank(current.severity);
    const detailsChanged = current.annotationsJson !== annotationsJson || current.valuesJson !== valuesJson;
    if (!raised && !detailsChanged && current.endsAt === alert.endsAt && current.expiresAt === alert.expiresAt) {
      this.noteReceipt(current.id, alert.receivedAt);
      return;
    }
    await tx.refreshAlert(current.id, {
      endsAt: alert.endsAt,
      expiresAt: alert.expiresAt,
      lastReceivedAt: alert.receivedAt,
      ...(detailsChanged ? { annotationsJson, ...(valuesJson === null ? {} : { valuesJson }) } : {}),
      ...(raised ? { severity, rawSeverity: alert.rawSeverity } : {}),
    });
    if (raised) {
      const incident = await tx.getIncident(current.incidentId);
      if (incident) await this.raiseSeverity(tx, incident, severity, alert);
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
    const sev = mapSeverity(alert.rawSeverity);
    const groupKey = groupKeyOf(alert.labels, this.options.groupBy);
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
          title: titleOf(alert),
          status: 'triggered',
          severity: sev.severity,
          priority: priorityOf[sev.severity],
          team: alert.labels.team ?? null,
          service: alert.labels.service ?? alert.labels.job ?? null,
          source: alert.source,
          alertCount: 0,
          firingCount: 0,
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
          data: { groupKey, severity: sev.severity, priority: incident.priority },
        });
        outcome = 'created';
      }
    }

    const fields = {
      source: alert.source,
      status: 'firing' as const,
      severity: sev.severity,
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
      data: { fingerprint: alert.fingerprint, labels: alert.labels, startsAt: new Date(alert.startsAt).toISOString() },
    });
    if (!sev.known) {
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
    if (outcome !== 'created') await this.raiseSeverity(tx, incident, sev.severity, alert);
    return { outcome, incidentId: incident.id };
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

  private async raiseSeverity(tx: StoreTx, incident: IncidentRow, severity: IncidentRow['severity'], alert: Alert) {
    const next = moreUrgent(incident.severity, severity);
    if (next === incident.severity) return;
    await tx.updateIncident(incident.id, { severity: next, priority: priorityOf[next], updatedAt: alert.receivedAt });
    await tx.addEvent({
      incidentId: incident.id,
      at: alert.receivedAt,
      kind: 'severity_changed',
      actor: alert.source,
      source: alert.source,
      message: `severity raised from ${incident.severity} to ${next} by ${alertLabel(alert.labels)}`,
      data: { from: incident.severity, to: next },
    });
    incident.severity = next;
    incident.priority = priorityOf[next];
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
    const incident = await tx.getIncident(alert.incidentId);
    if (!incident) return;
    const firing = Math.max(0, incident.firingCount - 1);
    await tx.updateIncident(incident.id, { firingCount: firing, updatedAt: how.at });
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
      await tx.updateIncident(incident.id, { status: 'resolved', resolvedAt: how.at, resolvedBy: how.actor });
      await tx.addEvent({
        incidentId: incident.id,
        at: how.at,
        kind: 'resolved',
        actor: how.actor,
        source: how.source,
        message: 'resolved: all alerts have resolved',
        data: null,
      });
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
      message: actor.note ? `acknowledged by ${actor.by}: ${actor.note}` : `acknowledged by ${actor.by}`,
      data: actor.note ? { note: actor.note } : null,
    });
    return { ...incident, ...patch };
  }

  /** Resolves by hand: the incident and every alert still firing in it. */
  resolve(id: number, actor: Actor): Promise<IncidentRow> {
    return this.store.write(async (tx) => {
      const incident = await this.mustGet(tx, id);
      if (incident.status === 'resolved') return incident;
      const now = this.clock.now();
      for (const alert of await tx.firingAlertsOf(id)) {
        await tx.updateAlert(alert.id, { status: 'resolved', resolvedAt: now, resolvedBy: actor.by, expiresAt: null });
      }
      const patch = { status: 'resolved' as const, resolvedAt: now, resolvedBy: actor.by, firingCount: 0, updatedAt: now };
      await tx.updateIncident(id, patch);
      await tx.addEvent({
        incidentId: id,
        at: now,
        kind: 'resolved',
        actor: actor.by,
        source: actor.source,
        message: actor.note ? `resolved by ${actor.by}: ${actor.note}` : `resolved by ${actor.by}`,
        data: actor.note ? { note: actor.note } : null,
      });
      return { ...incident, ...patch };
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
    return this.store.write(async (tx) => {
      await this.mustGet(tx, id);
      const now = this.clock.now();
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
    });
  }

  private async mustGet(tx: StoreTx, id: number): Promise<IncidentRow> {
    const incident = await tx.getIncident(id);
    if (!incident) throw notFound(`incident ${id} not found`);
    return incident;
  }
}
