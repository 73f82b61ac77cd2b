/** On-call overrides made through the API or CLI ("take my shift for two hours"), beside the rules files' own. */
export interface OncallOverrideRow {
  id: string;
  /** The schedule of rules/ it applies to. */
  schedule: string;
  /** Who is on call instead, a person of rules/. */
  person: string;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  reason: string | null;
  createdAt: number;
}

export interface OncallOverrideTx {
  insertOverride(row: OncallOverrideRow): Promise<void>;
  /** Removes it; false when there was none. */
  deleteOverride(id: string): Promise<boolean>;
}

export interface OncallOverrideReads {
  /** Overrides that have not ended by `now`, by start. */
  listOverrides(now: number): Promise<OncallOverrideRow[]>;
}
