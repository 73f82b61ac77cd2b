import type { Policy } from '../../src/rules/schema.js';
import type { SilenceRow } from '../../src/rules/suppression-types.js';
import type { NewAlert, NewIncident, NewNotification, NewTimelineEvent } from '../../src/store/types.js';
import type { AccessTokenRow, SessionRow } from '../../src/store/types.js';
import type { ApprovalRow, NewRunbookRun } from '../../src/store/types.js';

/** Rows to write in contract tests: every field set, so a round trip shows each column. */

export const policy: Policy = {
  priority: 'P1',
  notify: [{ role: 'oncall', channels: ['voice', 'sms'] }],
  ackSla: 900_000,
  resolveSla: 14_400_000,
  progressReminder: 1_800_000,
  renotify: null,
  bundleWindow: 0,
  digest: true,
  reackAfter: null,
  escalationRepeat: 1,
  holdPageFor: null,
  escalation: 'payments-critical',
};

export function newIncident(over: Partial<NewIncident> = {}): NewIncident {
  return {
    groupKey: '{alertname="DiskFull"}',
    title: 'DiskFull on db-1',
    status: 'triggered',
    severity: 'critical',
    priority: 'P1',
    team: 'payments',
    service: 'ledger',
    source: 'alertmanager',
    alertCount: 1,
    firingCount: 1,
    suppressedCount: 0,
    pagedAt: null,
    policy: null,
    escalationTier: 1,
    escalationRound: 0,
    ackSlaBreached: false,
    resolveSlaBreached: false,
    holdUntil: null,
    selfHealed: false,
    flapping: false,
    reopenCount: 0,
    createdAt: 1_000,
    updatedAt: 1_000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    ...over,
  };
}

export function newAlert(incidentId: number, over: Partial<NewAlert> = {}): NewAlert {
  return {
    fingerprint: 'fp-1',
    incidentId,
    source: 'alertmanager',
    status: 'firing',
    severity: 'critical',
    rawSeverity: 'critical',
    labels: { alertname: 'DiskFull', instance: 'db-1:9100' },
    annotations: { summary: 'Disk almost full' },
    startsAt: 900,
    endsAt: 100_000,
    expiresAt: 100_000,
    generatorURL: 'http://prometheus:9090/graph?g0.expr=disk',
    links: [{ href: 'http://grafana:3000/d/disk', text: 'Dashboard' }],
    values: { A: 97.5, B: null },
    firstReceivedAt: 1_000,
    lastReceivedAt: 1_000,
    receiveCount: 1,
    resolvedAt: null,
    resolvedBy: null,
    suppressedBy: null,
    ...over,
  };
}

export function newEvent(incidentId: number, over: Partial<NewTimelineEvent> = {}): NewTimelineEvent {
  return { incidentId, at: 1_000, kind: 'triggered', actor: 'alertmanager', source: 'alertmanager', message: 'Incident opened', data: null, ...over };
}

export function newNotification(incidentId: number | null, over: Partial<NewNotification> = {}): NewNotification {
  return {
    incidentId,
    kind: 'page',
    channel: 'sms',
    person: 'alice',
    recipientName: 'Alice Example',
    address: '+15550100001',
    idempotencyKey: `page:${incidentId}:alice:sms`,
    dueAt: 1_000,
    bundleKey: null,
    fallbackOf: null,
    ...over,
  };
}

export function silence(over: Partial<SilenceRow> = {}): SilenceRow {
  return {
    id: 'sil-1',
    matchers: ['alertname="DiskFull"', 'instance=~"db-.*"'],
    startsAt: 1_000,
    endsAt: 5_000,
    createdBy: 'alice',
    comment: 'disk swap',
    createdAt: 1_000,
    updatedAt: 1_000,
    ...over,
  };
}

export function runbookRun(over: Partial<NewRunbookRun> = {}): NewRunbookRun {
  return {
    id: 'run-1',
    incidentId: null,
    runbook: 'restart-service',
    targetKey: 'ledger',
    trigger: 'rule',
    requestedBy: null,
    dryRun: false,
    context: { labels: { service: 'ledger' }, annotations: {}, incident: { id: 1, title: 'DiskFull', severity: 'critical' } },
    createdAt: 1_000,
    ...over,
  };
}

export function approval(over: Partial<ApprovalRow> = {}): ApprovalRow {
  return {
    runId: 'run-1',
    step: 'restart',
    prompt: 'Restart ledger?',
    status: 'pending',
    decidedBy: null,
    comment: null,
    createdAt: 1_000,
    expiresAt: 60_000,
    decidedAt: null,
    ...over,
  };
}

export function accessToken(over: Partial<AccessTokenRow> = {}): AccessTokenRow {
  return {
    id: 'pat_0001',
    person: 'alice',
    hash: 'hash-1',
    label: 'laptop',
    createdAt: 1_000,
    expiresAt: null,
    revokedAt: null,
    lastUsedAt: null,
    ...over,
  };
}

export function session(over: Partial<SessionRow> = {}): SessionRow {
  return {
    hash: 'session-1',
    person: 'alice',
    name: 'Alice Example',
    admin: false,
    via: 'personal-token',
    tokenId: 'pat_0001',
    createdAt: 1_000,
    expiresAt: 50_000,
    ...over,
  };
}
