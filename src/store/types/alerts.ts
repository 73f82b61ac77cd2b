import type { Alert, AlertStatus } from '../../alerts/alert.js';
import type { Severity } from '../../alerts/severity.js';
import type { Suppression } from '../../rules/suppression-types.js';

/** A stored alert: the canonical alert of one incident, with what Vigil learned about it since. */
export interface AlertRow extends Omit<Alert, 'receivedAt' | 'defaults'> {
  id: number;
  incidentId: number;
  severity: Severity;
  firstReceivedAt: number;
  lastReceivedAt: number;
  receiveCount: number;
  resolvedAt: number | null;
  /** Who resolved it by hand; null when the sender (or expiry) resolved it. */
  resolvedBy: string | null;
  suppressedBy: Suppression | null;
}

export type NewAlert = Omit<AlertRow, 'id'>;

/**
 * The few columns the ingest hot path needs to decide what a delivery changes; the JSON columns as their
 * digests (alerts/details-digest.ts), which is all a repeat compares.
 */
export interface AlertState {
  id: number;
  incidentId: number;
  status: AlertRow['status'];
  severity: AlertRow['severity'];
  rawSeverity: string | null;
  startsAt: number;
  endsAt: number | null;
  expiresAt: number | null;
  resolvedBy: string | null;
  annotationsDigest: number;
  valuesDigest: number | null;
}

/** What a repeat of an alert changes (refreshAlert); JSON fields as text, given only when they changed. */
export interface AlertRefresh {
  endsAt: number | null;
  expiresAt: number | null;
  lastReceivedAt: number;
  annotationsJson?: string;
  valuesJson?: string;
  severity?: AlertRow['severity'];
  rawSeverity?: string | null;
}

export interface AlertQuery {
  status?: AlertStatus;
  incidentId?: number;
  limit: number;
  /** Alerts with an id below this one (newest first): the next page. */
  before?: number;
}

/** Alerts' writes and the reads the engine makes inside a write. */
export interface AlertTx {
  currentAlert(fingerprint: string): Promise<AlertRow | undefined>;
  /**
   * Reads the states of these fingerprints in one go for the currentAlertState calls of this write that follow
   * (PostgreSQL: one round trip for a batch instead of one per alert; SQLite keeps them in memory anyway).
   */
  prefetchAlertStates(fingerprints: string[]): Promise<void>;
  currentAlertState(fingerprint: string): Promise<AlertState | undefined>;
  /**
   * A repeat that changed the alert's lifetime or details; counts the delivery. JSON fields come as text
   * (the engine already made it to compare) and are only given when they changed.
   */
  refreshAlert(id: number, changes: AlertRefresh): Promise<void>;
  getAlert(id: number): Promise<AlertRow | undefined>;
  /** Records deliveries that changed nothing: newer lastReceivedAt, receiveCount + n. */
  addReceipts(receipts: { id: number; at: number; count: number }[]): Promise<void>;
  insertAlert(alert: NewAlert): Promise<number>;
  /**
   * A new alert whose id the caller does not need. PostgreSQL sends a write's run of them as one statement,
   * before the write's next statement of any kind (every read sees them) or at its end.
   */
  addAlert(alert: NewAlert): Promise<void>;
  updateAlert(id: number, patch: Partial<Omit<AlertRow, 'id'>>): Promise<void>;
  firingAlertsOf(incidentId: number): Promise<AlertRow[]>;
  dueExpiredAlerts(now: number, limit: number): Promise<AlertRow[]>;
  /** Firing alerts after the given id, suppressed or not, in id order. */
  firingAlerts(suppressed: boolean, afterId: number, limit: number): Promise<AlertRow[]>;
}

export interface AlertReads {
  alertsOf(incidentId: number): Promise<AlertRow[]>;
  listAlerts(query: AlertQuery): Promise<AlertRow[]>;
  /** Every firing alert, for rebuilding in-memory indexes at start-up and after a reload. */
  allFiringAlerts(): Promise<AlertRow[]>;
}
