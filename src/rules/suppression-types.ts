/** What silences are and why an alert pages nobody: rules' concepts, which the store keeps. */

/** Why a firing alert pages nobody. */
export interface Suppression {
  kind: 'silence' | 'maintenance' | 'inhibited';
  /** The silence id, maintenance window name or inhibit rule name. */
  id: string;
  /** In words, for people: who silenced it and why, which window, which alert inhibits it. */
  reason: string;
  /** When it ends, if known (silence end, window close). */
  until: number | null;
}

export interface SilenceRow {
  id: string;
  /** Alertmanager matchers, as written. */
  matchers: string[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
  updatedAt: number;
}
