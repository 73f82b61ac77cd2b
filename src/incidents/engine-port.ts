import type { Alert } from '../alerts/alert.js';
import type { SilenceRow } from '../rules/suppression-types.js';
import type { IncidentRow } from '../store/types.js';
import type { Actor } from './actor.js';

/** What became of one delivered alert; `ping`: it was a heartbeat's ping (the Watchdog), never an incident. */
export type AlertOutcome = 'created' | 'attached' | 'reopened' | 'refreshed' | 'resolved' | 'ignored' | 'ping';

/** A timeline event another stage asks for on each incident its alerts touched. */
export interface IncidentNote {
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}

/** Alerts a stage decided inside a write of its own (heartbeats), each with notes for its incident, and its result. */
export interface DecidedAlerts<T> {
  alerts: { alert: Alert; notes: IncidentNote[] }[];
  value: T;
}

export interface IngestResult {
  accepted: number;
  outcomes: AlertOutcome[];
  incidentIds: number[];
}

export interface NewSilence {
  matchers: string[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
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
  replaceSilence(id: string, silence: NewSilence, by: string): Promise<SilenceRow>;
}
