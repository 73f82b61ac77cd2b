import type { NightHours } from '../time/local-days.js';
import type { Priority, Severity } from '../alerts/severity.js';
import type { DurationStats } from './percentile.js';

/**
 * The shapes the reports work on and hand out. Inputs are the store's rows narrowed to the fields used,
 * so the store's rows can be passed as they are and a test can build only what matters. The Summary is
 * plain JSON (epoch ms, no Dates, no Maps): the API returns it as it is, the CLI and digests render it.
 */

export interface ReportIncident {
  id: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  severity: Severity;
  priority: Priority;
  team: string | null;
  service: string | null;
  createdAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  reopenCount: number;
  escalationTier: number;
  alertCount: number;
  /** The policy it was paged under; null when it never was (suppressed, or healed before paging). */
  policy: { ackSla: number | null; resolveSla: number | null; digest?: boolean } | null;
}

export interface ReportEvent {
  id?: number;
  incidentId: number;
  at: number;
  kind: string;
  actor: string | null;
  source?: string | null;
  message: string;
  data: Record<string, unknown> | null;
}

export interface ReportNotification {
  id: number;
  incidentId: number | null;
  kind: string;
  channel: string;
  person: string | null;
  recipientName: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  createdAt: number;
  dueAt: number;
  deliveredAt: number | null;
  /** The message this one replaces on another channel after it failed. */
  fallbackOf: number | null;
  errorKind?: string | null;
}

export interface ReportAlert {
  incidentId: number;
  labels: Record<string, string>;
  receiveCount: number;
  severity: Severity;
}

export interface ComplianceTargets {
  /** Share of incidents to be acknowledged within their ack SLA (the handbook: 0.95). */
  ackCompliance: number;
  resolveCompliance: number;
}


export type { NightHours };

export interface SummaryInput {
  /** The period, [since, until), epoch ms. */
  since: number;
  until: number;
  /** Only this team's incidents (and the events, alerts and pages of them). */
  team?: string | null;
  /** IANA zone for local days and night hours. */
  timeZone: string;
  incidents: ReportIncident[];
  events: ReportEvent[];
  notifications: ReportNotification[];
  alerts: ReportAlert[];
  targets?: ComplianceTargets;
  nightHours?: NightHours;
  /** Channels that interrupt a person (a page); email and webhooks do not. */
  pageChannels?: string[];
  /** How many noisiest alerts to list. */
  noisiestLimit?: number;
  /** How many items each list that grows with the store keeps (open, info, flapping, self-healed, escalated); the totals count them all. */
  listLimit?: number;
}

/** What a summary is computed for, without the rows (those come a chunk at a time). */
export type SummaryOptions = Omit<SummaryInput, 'incidents' | 'events' | 'notifications' | 'alerts'>;

/**
 * A slice of a report's rows. Each incident comes in exactly one chunk, with all of its events, alerts
 * and pages (a page and its fallbacks are about one incident).
 */
export type SummaryChunk = Pick<SummaryInput, 'incidents' | 'events' | 'notifications' | 'alerts'>;

// ---- the Summary

export type Counts<K extends string> = Record<K, number>;

/**
 * An SLA over the incidents that had one. met + missed = measured; pending incidents are still inside
 * their SLA at the period's end and count neither way.
 */
export interface Compliance {
  measured: number;
  met: number;
  missed: number;
  pending: number;
  /** met / measured; null when nothing was measured. */
  rate: number | null;
  target: number;
  /** 'no_data' when nothing was measured: a quiet week neither keeps nor breaks a promise. */
  status: 'met' | 'missed' | 'no_data';
}

export interface TeamFigures {
  /** null: incidents without a team. */
  team: string | null;
  incidents: number;
  mtta: DurationStats;
  mttr: DurationStats;
  ack: Compliance;
  resolve: Compliance;
}

export interface OpenIncident {
  id: number;
  title: string;
  severity: Severity;
  priority: Priority;
  team: string | null;
  service: string | null;
  /** Its state at the period's end. */
  status: 'triggered' | 'acknowledged';
  createdAt: number;
  /** until − createdAt. */
  ageMs: number;
  acknowledgedBy: string | null;
  escalationTier: number;
}

export interface NoisyAlert {
  alertname: string;
  incidents: number;
  alerts: number;
  receives: number;
}

export interface FlappingIncident {
  id: number;
  title: string;
  team: string | null;
  reopens: number;
  alertnames: string[];
}

export interface SelfHealedIncident {
  id: number;
  title: string;
  team: string | null;
  at: number;
  runbook: string | null;
}

export const runbookOutcomes = ['succeeded', 'failed', 'escalate', 'dry_run', 'refused'] as const;
export type RunbookOutcome = (typeof runbookOutcomes)[number];

export interface RunbookRuns {
  runbook: string;
  runs: number;
  outcomes: Counts<RunbookOutcome | 'other'>;
  /** succeeded / (succeeded + failed + escalate); dry runs and refusals changed nothing and do not count. */
  successRate: number | null;
}

export interface RunbookFigures extends Omit<RunbookRuns, 'runbook'> {
  byRunbook: RunbookRuns[];
}

export interface EscalatedIncident {
  id: number;
  title: string;
  team: string | null;
  /** Escalations in the period. */
  escalations: number;
  maxTier: number;
  /** Every tier was paged and nobody acknowledged. */
  exhausted: boolean;
  /** First acknowledgement after the first escalation, by the period's end; null: nobody answered. */
  answeredAt: number | null;
  answeredBy: string | null;
}

export interface EscalationFigures {
  /** escalated events in the period (each one means the tier before did not answer in time, or was asked to hand over). */
  escalations: number;
  /** escalation_exhausted events in the period. */
  exhausted: number;
  /** The first listLimit, unanswered first, then the furthest escalated. */
  incidents: EscalatedIncident[];
  /** How many incidents escalated in the period (incidents lists at most listLimit of them). */
  incidentsTotal: number;
  /** Of those, how many nobody acknowledged after the first escalation, by the period's end. */
  unanswered: number;
}

export interface PersonLoad {
  person: string;
  name: string;
  pages: number;
  nightPages: number;
  /** Pages every message of which failed: Vigil tried, the person was not reached. */
  failed: number;
  /** Messages sent for these pages (a call and a text for one page are two). */
  messages: number;
  /** This person's share of all attributed pages. */
  share: number;
}

export interface PageFigures {
  total: number;
  night: number;
  nightHours: NightHours;
  channels: string[];
  byPerson: PersonLoad[];
  /** Pages to no person (team chat channels, webhooks). */
  unattributed: number;
}

export interface InfoIncident {
  id: number;
  title: string;
  team: string | null;
  service: string | null;
  createdAt: number;
  alertCount: number;
  status: ReportIncident['status'];
}

export interface DayFigures {
  /** Local date, yyyy-MM-dd. */
  date: string;
  start: number;
  end: number;
  total: number;
  bySeverity: Counts<Severity>;
  /** Median time to acknowledge / resolve of that day's incidents (ms), null if none was. */
  mtta: number | null;
  mttr: number | null;
}

export interface Summary {
  period: { since: number; until: number; timeZone: string; team: string | null };
  /** Nothing happened: no incidents created, none open, no pages, escalations, runbook runs or self-heals. */
  empty: boolean;
  incidents: {
    total: number;
    bySeverity: Counts<Severity>;
    byPriority: Counts<Priority>;
    /** Of the period's incidents, how many were resolved by its end. */
    resolved: number;
    /** Of the period's incidents, how many a heartbeat monitor opened (a job, Prometheus or Alertmanager went quiet or failed). */
    heartbeats: number;
  };
  mtta: DurationStats;
  mttr: DurationStats;
  teams: TeamFigures[];
  sla: {
    ack: Compliance;
    resolve: Compliance;
    byPriority: { priority: Priority; ack: Compliance; resolve: Compliance }[];
  };
  /** Open at the period's end, most urgent and oldest first: the first listLimit of openTotal. */
  open: OpenIncident[];
  openTotal: number;
  noisiestAlerts: NoisyAlert[];
  /** Most reopened first: the first listLimit of flappingTotal. */
  flapping: FlappingIncident[];
  flappingTotal: number;
  /** Latest first: the first listLimit of selfHealedTotal. */
  selfHealed: SelfHealedIncident[];
  selfHealedTotal: number;
  runbooks: RunbookFigures;
  escalations: EscalationFigures;
  pages: PageFigures;
  /** The period's info incidents, newest first: the first listLimit of infoTotal. */
  info: InfoIncident[];
  infoTotal: number;
  daily: DayFigures[];
}
