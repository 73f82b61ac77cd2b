import type { Policy } from '../../rules/schema.js';
import type { AlertRow, AlertState, IncidentRow, NotificationAttempt, NotificationRow, TimelineEvent } from '../types.js';
import type { SilenceRow } from '../../rules/suppression-types.js';

/** Column names in SQLite for each camelCase field that can be written. */
export const incidentColumns: Record<keyof Omit<IncidentRow, 'id'>, string> = {
  groupKey: 'group_key',
  title: 'title',
  status: 'status',
  severity: 'severity',
  priority: 'priority',
  team: 'team',
  service: 'service',
  source: 'source',
  alertCount: 'alert_count',
  firingCount: 'firing_count',
  suppressedCount: 'suppressed_count',
  pagedAt: 'paged_at',
  policy: 'policy',
  escalationTier: 'escalation_tier',
  escalationRound: 'escalation_round',
  ackSlaBreached: 'ack_sla_breached',
  resolveSlaBreached: 'resolve_sla_breached',
  flapping: 'flapping',
  reopenCount: 'reopen_count',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  resolvedAt: 'resolved_at',
  resolvedBy: 'resolved_by',
  holdUntil: 'hold_until',
  selfHealed: 'self_healed',
};

export const alertColumns: Record<keyof Omit<AlertRow, 'id'>, string> = {
  fingerprint: 'fingerprint',
  incidentId: 'incident_id',
  source: 'source',
  status: 'status',
  severity: 'severity',
  rawSeverity: 'raw_severity',
  labels: 'labels',
  annotations: 'annotations',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  expiresAt: 'expires_at',
  generatorURL: 'generator_url',
  links: 'links',
  values: 'value_data',
  firstReceivedAt: 'first_received_at',
  lastReceivedAt: 'last_received_at',
  receiveCount: 'receive_count',
  resolvedAt: 'resolved_at',
  resolvedBy: 'resolved_by',
  suppressedBy: 'suppressed_by',
};

export const silenceColumns: Record<keyof Omit<SilenceRow, 'id'>, string> = {
  matchers: 'matchers',
  startsAt: 'starts_at',
  endsAt: 'ends_at',
  createdBy: 'created_by',
  comment: 'comment',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const jsonAlertFields = new Set(['labels', 'annotations', 'links', 'values', 'suppressedBy', 'matchers', 'policy']);

/** Converts a field value to what SQLite stores (JSON text, 0/1 for booleans). */
export function toColumnValue(field: string, value: unknown): unknown {
  if (jsonAlertFields.has(field)) return value == null ? null : JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

type Raw = Record<string, unknown>;

const storedPolicyDefaults = { reackAfter: null, escalationRepeat: 0, escalation: null, holdPageFor: null } satisfies Partial<Policy>;

export function incidentFromRow(r: Raw): IncidentRow {
  return {
    id: r.id as number,
    groupKey: r.group_key as string,
    title: r.title as string,
    status: r.status as IncidentRow['status'],
    severity: r.severity as IncidentRow['severity'],
    priority: r.priority as IncidentRow['priority'],
    team: (r.team as string | null) ?? null,
    service: (r.service as string | null) ?? null,
    source: r.source as IncidentRow['source'],
    alertCount: r.alert_count as number,
    firingCount: r.firing_count as number,
    suppressedCount: r.suppressed_count as number,
    pagedAt: (r.paged_at as number | null) ?? null,
    // Policies stored by an older Vigil lack later fields: they get the schema's defaults here, once.
    policy: r.policy == null ? null : { ...storedPolicyDefaults, ...(JSON.parse(r.policy as string) as Policy) },
    escalationTier: r.escalation_tier as number,
    escalationRound: r.escalation_round as number,
    ackSlaBreached: r.ack_sla_breached === 1,
    resolveSlaBreached: r.resolve_sla_breached === 1,
    flapping: r.flapping === 1,
    holdUntil: (r.hold_until as number | null) ?? null,
    selfHealed: r.self_healed === 1,
    reopenCount: r.reopen_count as number,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    acknowledgedAt: (r.acknowledged_at as number | null) ?? null,
    acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
    resolvedAt: (r.resolved_at as number | null) ?? null,
    resolvedBy: (r.resolved_by as string | null) ?? null,
  };
}

export function alertFromRow(r: Raw): AlertRow {
  return {
    id: r.id as number,
    fingerprint: r.fingerprint as string,
    incidentId: r.incident_id as number,
    source: r.source as AlertRow['source'],
    status: r.status as AlertRow['status'],
    severity: r.severity as AlertRow['severity'],
    rawSeverity: (r.raw_severity as string | null) ?? null,
    labels: JSON.parse(r.labels as string),
    annotations: JSON.parse(r.annotations as string),
    startsAt: r.starts_at as number,
    endsAt: (r.ends_at as number | null) ?? null,
    expiresAt: (r.expires_at as number | null) ?? null,
    generatorURL: (r.generator_url as string | null) ?? null,
    links: JSON.parse(r.links as string),
    values: r.value_data == null ? null : JSON.parse(r.value_data as string),
    firstReceivedAt: r.first_received_at as number,
    lastReceivedAt: r.last_received_at as number,
    receiveCount: r.receive_count as number,
    resolvedAt: (r.resolved_at as number | null) ?? null,
    resolvedBy: (r.resolved_by as string | null) ?? null,
    suppressedBy: r.suppressed_by == null ? null : JSON.parse(r.suppressed_by as string),
  };
}

export function silenceFromRow(r: Raw): SilenceRow {
  return {
    id: r.id as string,
    matchers: JSON.parse(r.matchers as string),
    startsAt: r.starts_at as number,
    endsAt: r.ends_at as number,
    createdBy: r.created_by as string,
    comment: r.comment as string,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

export function eventFromRow(r: Raw): TimelineEvent {
  return {
    id: r.id as number,
    incidentId: r.incident_id as number,
    at: r.at as number,
    kind: r.kind as string,
    actor: (r.actor as string | null) ?? null,
    source: (r.source as string | null) ?? null,
    message: r.message as string,
    data: r.data == null ? null : JSON.parse(r.data as string),
  };
}

export function alertStateFromRow(r: Raw): AlertState {
  return {
    id: r.id as number,
    incidentId: r.incident_id as number,
    status: r.status as AlertState['status'],
    severity: r.severity as AlertState['severity'],
    rawSeverity: (r.raw_severity as string | null) ?? null,
    startsAt: r.starts_at as number,
    endsAt: (r.ends_at as number | null) ?? null,
    expiresAt: (r.expires_at as number | null) ?? null,
    resolvedBy: (r.resolved_by as string | null) ?? null,
    annotationsJson: r.annotations as string,
    valuesJson: (r.value_data as string | null) ?? null,
  };
}

export const notificationColumns: Record<keyof Omit<NotificationRow, 'id'>, string> = {
  incidentId: 'incident_id',
  kind: 'kind',
  channel: 'channel',
  person: 'person',
  recipientName: 'recipient_name',
  address: 'address',
  idempotencyKey: 'idempotency_key',
  status: 'status',
  attempts: 'attempts',
  dueAt: 'due_at',
  bundleKey: 'bundle_key',
  fallbackOf: 'fallback_of',
  providerId: 'provider_id',
  mode: 'mode',
  threadRef: 'thread_ref',
  errorKind: 'error_kind',
  lastError: 'last_error',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  deliveredAt: 'delivered_at',
};

export function notificationFromRow(r: Raw): NotificationRow {
  const out = { id: r.id as number } as Record<string, unknown>;
  for (const [field, column] of Object.entries(notificationColumns)) out[field] = r[column] ?? null;
  return out as unknown as NotificationRow;
}

export function attemptFromRow(r: Raw): NotificationAttempt {
  return {
    notificationId: r.notification_id as number,
    at: r.at as number,
    outcome: r.outcome as NotificationAttempt['outcome'],
    errorKind: (r.error_kind as string | null) ?? null,
    error: (r.error as string | null) ?? null,
    durationMs: r.duration_ms as number,
  };
}
