import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../errors/errors.js';
import type { Logger } from '../observe/logger.js';
import type { RuleSet } from '../rules/ruleset.js';
import type { OncallOverrideRow, Store } from '../store/types.js';
import type { Clock } from '../time/clock.js';

/** The rule set with each schedule's stored overrides after its file's own (so they win where they overlap). */
export function layOverrides(rules: RuleSet, rows: readonly OncallOverrideRow[]): RuleSet {
  if (rows.length === 0) return rules;
  const schedules = new Map(rules.schedules);
  // The one made last wins where two overlap (a later override beats an earlier one), whichever starts first.
  for (const row of [...rows].sort((a, b) => a.createdAt - b.createdAt)) {
    const schedule = schedules.get(row.schedule);
    if (!schedule) continue;
    schedules.set(row.schedule, {
      ...schedule,
      overrides: [...schedule.overrides, { person: row.person, start: row.startsAt, end: row.endsAt, ...(row.reason ? { reason: row.reason } : {}) }],
    });
  }
  return { ...rules, schedules };
}

/** What a person asks for; the store adds its id and when it was made. */
export type NewOverride = Omit<OncallOverrideRow, 'id' | 'createdAt'>;

/**
 * On-call overrides made through the API and CLI, kept in the database and laid over the rules files' schedules:
 * `apply` gives the rule set with each schedule's stored overrides after its file's ones, so they win where they
 * overlap (a later override beats an earlier one) and every escalation from then on pages whoever they name. A
 * copy lives in each process, read again when another instance says it changed (peer topic `oncall`).
 */
export class StoredOverrides {
  private rows: OncallOverrideRow[] = [];
  private generation = 0;
  private merged: { base: RuleSet; rows: OncallOverrideRow[]; rules: RuleSet } | null = null;

  constructor(private readonly deps: { store: Store; clock: Clock; logger: Logger }) {
    deps.store.onPeerChange((topic) => {
      if (topic === 'oncall') void this.refresh().catch((err: unknown) => deps.logger.warn({ err }, 'on-call overrides not read again'));
    });
  }

  /** Reads the overrides that have not ended (start-up, and when another instance changed them). */
  async refresh(): Promise<void> {
    // A create or remove here while the read was under way wins: its write is newer than what the read saw.
    const generation = ++this.generation;
    const rows = await this.deps.store.listOverrides(this.deps.clock.now());
    if (generation === this.generation) this.rows = rows;
  }

  list(now: number): OncallOverrideRow[] {
    return this.rows.filter((r) => r.endsAt > now);
  }

  apply(rules: RuleSet): RuleSet {
    if (this.rows.length === 0) return rules;
    if (this.merged?.base === rules && this.merged.rows === this.rows) return this.merged.rules;
    const merged = layOverrides(rules, this.rows);
    this.merged = { base: rules, rows: this.rows, rules: merged };
    return merged;
  }

  /** Stores an override for a schedule and person of the rules in force; it applies at once, on every instance. */
  async create(rules: RuleSet, input: NewOverride): Promise<OncallOverrideRow> {
    const now = this.deps.clock.now();
    if (!rules.schedules.has(input.schedule)) throw badRequest(`schedule: "${input.schedule}" is not a schedule in the rules`, [{ field: 'schedule', problem: 'unknown schedule' }]);
    if (!rules.people.has(input.person)) throw badRequest(`person: "${input.person}" is not a person in the rules`, [{ field: 'person', problem: 'unknown person' }]);
    const row: OncallOverrideRow = { id: randomUUID(), ...input, createdAt: now };
    await this.deps.store.write((tx) => tx.insertOverride(row));
    this.generation++;
    this.rows = [...this.rows, row].sort((a, b) => a.startsAt - b.startsAt || a.createdAt - b.createdAt);
    await this.tellPeers();
    return row;
  }

  async remove(id: string): Promise<void> {
    const gone = await this.deps.store.write((tx) => tx.deleteOverride(id));
    if (!gone) throw notFound(`override ${id} not found`);
    this.generation++;
    this.rows = this.rows.filter((r) => r.id !== id);
    await this.tellPeers();
  }

  private async tellPeers(): Promise<void> {
    await this.deps.store.tellPeers('oncall').catch((err: unknown) => this.deps.logger.warn({ err }, 'other instances not told of the on-call override'));
  }
}
