import { z } from 'zod';
import { severities } from '../alerts/severity.js';
import { isoTime, isoTimeOrNull, labelSet, named } from '../http/api-schemas.js';
import type { AlertRow, IncidentRow, TimelineEvent } from '../store/types.js';
import { identityOf } from './incident-view.js';

export function iso(ms: number): string;
export function iso(ms: number | null): string | null;
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

const when = isoTimeOrNull;
const slaState = z.enum(['met', 'missed']).nullable();
export const alertSource = z.enum(['alertmanager', 'prometheus', 'grafana', 'pagerduty', 'heartbeat']);

export const incidentSchema = named(
  'Incident',
  z.object({
    id: z.number().int(),
    title: z.string(),
    status: z.enum(['triggered', 'acknowledged', 'resolved']),
    severity: z.enum(severities),
    priority: z.enum(['P1', 'P2', 'P3', 'P4']),
    team: z.string().nullable(),
    service: z.string().nullable(),
    alertCount: z.number().int(),
    createdAt: isoTime,
    acknowledgedAt: when,
    acknowledgedBy: z.string().nullable(),
    resolvedAt: when,
    resolvedBy: z.string().nullable(),
    firingCount: z.number().int(),
    suppressed: z.boolean().describe('True while every firing alert is silenced, in maintenance or inhibited: nobody is paged.'),
    suppressedCount: z.number().int(),
    flapping: z.boolean(),
    reopenCount: z.number().int(),
    escalationTier: z.number().int(),
    pageHeldUntil: when.describe('While runbooks try a fix, the page waits until this time; null when not held.'),
    selfHealed: z.boolean().describe('Resolved during a page hold after runbooks ran: nobody was woken.'),
    sla: z.object({
      acknowledge: slaState,
      resolve: slaState,
      acknowledgeBy: when,
      resolveBy: when,
    }).describe('Whether the SLAs were met (null while the clock still runs) and when each runs out.'),
    groupKey: z.string(),
    source: alertSource,
    updatedAt: isoTime,
  }),
);

export const suppressionSchema = z.object({
  kind: z.enum(['silence', 'maintenance', 'inhibited']),
  id: z.string(),
  reason: z.string(),
  until: when,
});

export const alertSchema = named(
  'Alert',
  z.object({
    id: z.number().int(),
    fingerprint: z.string(),
    incidentId: z.number().int(),
    source: alertSource,
    status: z.enum(['firing', 'resolved']),
    severity: z.enum(severities),
    rawSeverity: z.string().nullable(),
    labels: labelSet,
    annotations: labelSet,
    startsAt: isoTime,
    endsAt: when,
    expiresAt: when,
    generatorURL: z.string().nullable(),
    links: z.array(z.object({ href: z.string(), text: z.string() })),
    values: z.record(z.string(), z.union([z.number(), z.string(), z.null()])).nullable(),
    firstReceivedAt: isoTime,
    lastReceivedAt: isoTime,
    receiveCount: z.number().int(),
    resolvedAt: when,
    resolvedBy: z.string().nullable(),
    suppressed: z.boolean(),
    suppressedBy: suppressionSchema.nullable(),
  }),
);

export const timelineEventSchema = named(
  'TimelineEvent',
  z.object({
    id: z.number().int(),
    at: isoTime,
    kind: z.string(),
    actor: z.string().nullable(),
    source: z.string().nullable(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
  }),
);

/** The incident as the API shows it (contract fields first). */
export function presentIncident(i: IncidentRow): z.infer<typeof incidentSchema> {
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

export function presentAlert(a: AlertRow): z.infer<typeof alertSchema> {
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

export function presentEvent(e: TimelineEvent): z.infer<typeof timelineEventSchema> {
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
