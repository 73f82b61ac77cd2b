import type { AlertRow, IncidentRow, TimelineEvent } from '../store/types.js';
import { identityOf } from './incident-view.js';

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The incident as the API shows it (contract fields first). */
export function presentIncident(i: IncidentRow) {
  return {
    ...identityOf(i),
    alertCount: i.alertCount,
    createdAt: iso(i.createdAt),
    acknowledgedAt: iso(i.acknowledgedAt),
    acknowledgedBy: i.acknowledgedBy,
    resolvedAt: iso(i.resolvedAt),
    resolvedBy: i.resolvedBy,
    firingCount: i.firingCount,
    /** True while every firing alert is silenced, in maintenance or inhibited: nobody is paged. */
    suppressed: i.firingCount > 0 && i.suppressedCount >= i.firingCount,
    suppressedCount: i.suppressedCount,
    flapping: i.flapping,
    reopenCount: i.reopenCount,
    escalationTier: i.escalationTier,
    /** While runbooks try a fix, the page waits until this time; null when not held. */
    pageHeldUntil: iso(i.holdUntil),
    /** Resolved during a page hold after runbooks ran: nobody was woken. */
    selfHealed: i.selfHealed,
    /** Whether the SLAs were met: null while the clock still runs. */
    sla: {
      acknowledge: i.ackSlaBreached ? 'missed' : i.acknowledgedAt !== null || i.status === 'resolved' ? 'met' : null,
      resolve: i.resolveSlaBreached ? 'missed' : i.status === 'resolved' ? 'met' : null,
      /** When each SLA runs out (from the policy it was paged under); null without one. */
      acknowledgeBy: i.policy?.ackSla != null ? iso(i.createdAt + i.policy.ackSla) : null,
      resolveBy: i.policy?.resolveSla != null ? iso(i.createdAt + i.policy.resolveSla) : null,
    },
    groupKey: i.groupKey,
    source: i.source,
    updatedAt: iso(i.updatedAt),
  };
}

export function presentAlert(a: AlertRow) {
  return {
    id: a.id,
    fingerprint: a.fingerprint,
    incidentId: a.incidentId,
    source: a.source,
    status: a.status,
    severity: a.severity,
    rawSeverity: a.rawSeverity,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: iso(a.startsAt),
    endsAt: iso(a.endsAt),
    expiresAt: iso(a.expiresAt),
    generatorURL: a.generatorURL,
    links: a.links,
    values: a.values,
    firstReceivedAt: iso(a.firstReceivedAt),
    lastReceivedAt: iso(a.lastReceivedAt),
    receiveCount: a.receiveCount,
    resolvedAt: iso(a.resolvedAt),
    resolvedBy: a.resolvedBy,
    suppressed: a.suppressedBy !== null,
    suppressedBy: a.suppressedBy === null ? null : { ...a.suppressedBy, until: iso(a.suppressedBy.until) },
  };
}

export function presentEvent(e: TimelineEvent) {
  return {
    id: e.id,
    at: iso(e.at),
    kind: e.kind,
    actor: e.actor,
    source: e.source,
    message: e.message,
    data: e.data,
  };
}
