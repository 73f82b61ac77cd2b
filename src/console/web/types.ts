/** The API's shapes as the console reads them (src/api/present.ts and friends); times are ISO strings. */

export const severities = ['critical', 'warning', 'reminder', 'info'] as const;
export type Severity = (typeof severities)[number];
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface Incident {
  id: number;
  title: string;
  status: IncidentStatus;
  severity: Severity;
  priority: Priority;
  team: string | null;
  service: string | null;
  alertCount: number;
  createdAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  firingCount?: number;
  suppressed: boolean;
  flapping: boolean;
  reopenCount?: number;
  escalationTier: number;
  pageHeldUntil: string | null;
  selfHealed?: boolean;
  sla: { acknowledge: 'met' | 'missed' | null; resolve: 'met' | 'missed' | null; acknowledgeBy: string | null; resolveBy: string | null };
  source?: string;
  updatedAt?: string;
}

export interface AlertLink {
  href: string;
  text: string;
}

export interface Alert {
  id: number;
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string | null;
  endsAt: string | null;
  generatorURL: string | null;
  links: AlertLink[];
  values: Record<string, unknown> | null;
  receiveCount: number;
  lastReceivedAt: string | null;
  resolvedAt: string | null;
  suppressed: boolean;
  suppressedBy: { kind?: string; until?: string | null; [key: string]: unknown } | null;
}

export interface TimelineEvent {
  id: number;
  at: string;
  kind: string;
  actor: string | null;
  source: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

export interface IncidentDetail extends Incident {
  alerts: Alert[];
  timeline: TimelineEvent[];
}

export interface Delivery {
  id: number;
  kind: string;
  channel: string;
  recipient: { person: string | null; name: string | null; address: string | null };
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  error: { kind: string; message: string | null } | null;
  fallbackOf: number | null;
  bundled?: boolean;
  dueAt: string | null;
  createdAt: string | null;
  deliveredAt: string | null;
  attemptLog?: { at: string | null; outcome?: string; error?: string | null; [key: string]: unknown }[];
}

export interface Runbook {
  name: string;
  description: string | null;
  dryRun: boolean;
  steps: { name: string; type: string }[];
}

export interface RunbookRun {
  id: string;
  runbook: string;
  trigger: string;
  requestedBy: string | null;
  status: string;
  outcome: string | null;
  dryRun: boolean;
  summary: string | null;
  createdAt: string | null;
  endedAt: string | null;
  approvals: { step: string; prompt: string | null; status: string; decidedBy: string | null; comment: string | null; expiresAt: string | null }[];
}

export interface Silence {
  id: string;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  state: 'active' | 'pending' | 'expired';
}

export interface Heartbeat {
  name: string;
  state: 'new' | 'up' | 'late' | 'down' | 'paused';
  paused: boolean;
  muted: string | null;
  origin: 'file' | 'api';
  schedule: string | null;
  grace: string | null;
  lastPingAt: string | null;
  nextDueAt: string | null;
  downSince: string | null;
}

export interface Viewer {
  person: string | null;
  name: string;
  admin: boolean;
  via: string;
  open: boolean;
}

/** One live batch (GET /api/v1/events). */
export interface Batch {
  seq: number;
  at: string;
  incidents: Incident[];
  opened: number[];
  escalatedToMe: number[];
}

export interface OnCallShift {
  person: { id: string; name: string } | null;
  layer: string | null;
  override: boolean;
  from?: string;
  until: string;
}

export interface OnCallTier extends OnCallShift {
  tier: number;
  schedule: string;
  timeZone?: string;
  next?: OnCallShift[];
}

export interface OnCallAnswer {
  at: string;
  teams: { team: string; tiers: OnCallTier[] }[];
}
