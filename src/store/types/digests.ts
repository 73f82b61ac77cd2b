import type { IncidentRow } from './incidents.js';

export interface DigestScheduleRow {
  name: string;
  cron: string;
  timeZone: string;
  /** The next time the digest is due (epoch ms). */
  dueAt: number;
  lastRunAt: number | null;
  lastSince: number | null;
  lastUntil: number | null;
}

/** Digest schedules and post-incident reviews: what the report jobs (src/jobs/digest-jobs.ts) keep. */
export interface DigestTx {
  /** A digest schedule's stored due time. */
  digestSchedule(name: string): Promise<DigestScheduleRow | undefined>;
  saveDigestSchedule(row: DigestScheduleRow): Promise<void>;
  /** Records that an incident's review was handled; false when it already was. */
  markReviewed(incidentId: number, resolvedAt: number, sentAt: number, recipients: number): Promise<boolean>;
}

export interface ReviewReads {
  /** Resolved P1/P2 incidents whose review has not been handled yet, earliest resolution first. */
  pendingReviews(limit: number): Promise<IncidentRow[]>;
}
