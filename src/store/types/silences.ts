import type { SilenceRow } from '../../rules/suppression-types.js';

export interface SilenceTx {
  insertSilence(silence: SilenceRow): Promise<void>;
  updateSilence(id: string, patch: Partial<Omit<SilenceRow, 'id'>>): Promise<void>;
  getSilence(id: string): Promise<SilenceRow | undefined>;
}

export interface SilenceReads {
  /** Silences that have not ended by `now` (or all, newest first, when now is omitted). */
  listSilences(now?: number): Promise<SilenceRow[]>;
  getSilence(id: string): Promise<SilenceRow | undefined>;
}
