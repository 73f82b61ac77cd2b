import {
  runbookOutcomes,
  type EscalatedIncident,
  type EscalationFigures,
  type ReportEvent,
  type ReportIncident,
  type RunbookFigures,
  type RunbookOutcome,
  type RunbookRuns,
  type SelfHealedIncident,
} from './types.js';

/**
 * Figures counted from timeline events that happened in the period (whenever their incident started):
 * runbook runs, self-heals and escalations. A runbook that ran on Tuesday counts in Tuesday's digest even
 * if its incident opened on Monday.
 */

const stringField = (data: ReportEvent['data'], key: string): string | null => {
  const v = data?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
};
const numberField = (data: ReportEvent['data'], key: string): number | null => {
  const v = data?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

const byTime = (a: ReportEvent, b: ReportEvent) => a.at - b.at || (a.id ?? 0) - (b.id ?? 0);

function emptyOutcomes(): RunbookRuns['outcomes'] {
  return { succeeded: 0, failed: 0, escalate: 0, dry_run: 0, refused: 0, other: 0 };
}

/** Succeeded over the runs that tried something: dry runs and refused runs changed nothing. */
function successRate(o: RunbookRuns['outcomes']): number | null {
  const tried = o.succeeded + o.failed + o.escalate;
  return tried === 0 ? null : o.succeeded / tried;
}

/** Runbook results from runbook_finished events (data.outcome: succeeded | failed | escalate | dry_run | refused), a batch at a time. */
export class RunbookTally {
  private readonly all = emptyOutcomes();
  private readonly per = new Map<string, RunbookRuns['outcomes']>();
  private runs = 0;

  add(periodEvents: readonly ReportEvent[]): void {
    for (const e of periodEvents) {
      if (e.kind !== 'runbook_finished') continue;
      const name = stringField(e.data, 'runbook') ?? '(unnamed)';
      const raw = stringField(e.data, 'outcome');
      const outcome: RunbookOutcome | 'other' = raw && (runbookOutcomes as readonly string[]).includes(raw) ? (raw as RunbookOutcome) : 'other';
      let counts = this.per.get(name);
      if (!counts) this.per.set(name, (counts = emptyOutcomes()));
      counts[outcome]++;
      this.all[outcome]++;
      this.runs++;
    }
  }

  result(): RunbookFigures {
    const byRunbook = [...this.per.entries()]
      .map(([runbook, outcomes]) => ({ runbook, runs: sum(outcomes), outcomes: { ...outcomes }, successRate: successRate(outcomes) }))
      .sort((a, b) => b.runs - a.runs || a.runbook.localeCompare(b.runbook));
    return { runs: this.runs, outcomes: { ...this.all }, successRate: successRate(this.all), byRunbook };
  }
}

/** Incidents a runbook closed without paging anyone (self_healed events), first heal per incident. */
export function selfHealed(periodEvents: readonly ReportEvent[], incidents: ReadonlyMap<number, ReportIncident>): SelfHealedIncident[] {
  const out = new Map<number, SelfHealedIncident>();
  for (const e of [...periodEvents].sort(byTime)) {
    if (e.kind !== 'self_healed' || out.has(e.incidentId)) continue;
    const i = incidents.get(e.incidentId);
    if (!i) continue;
    out.set(e.incidentId, { id: i.id, title: i.title, team: i.team, at: e.at, runbook: stringField(e.data, 'runbook') });
  }
  return [...out.values()];
}

/**
 * Escalations in the period (escalated events: the tier before did not acknowledge in time, the resolve
 * SLA ran out, or someone asked for the next tier) and escalations that ran out of tiers
 * (escalation_exhausted). For each incident: whether anyone acknowledged after the first escalation,
 * by the period's end.
 */
export function escalationFigures(
  periodEvents: readonly ReportEvent[],
  allEvents: ReadonlyMap<number, readonly ReportEvent[]>,
  incidents: ReadonlyMap<number, ReportIncident>,
  until: number,
): Omit<EscalationFigures, 'incidentsTotal' | 'unanswered'> {
  let escalations = 0;
  let exhausted = 0;
  const per = new Map<number, { first: number; count: number; maxTier: number; exhausted: boolean }>();
  const entry = (id: number, at: number) => {
    let e = per.get(id);
    if (!e) per.set(id, (e = { first: at, count: 0, maxTier: 0, exhausted: false }));
    e.first = Math.min(e.first, at);
    return e;
  };
  for (const e of periodEvents) {
    if (!incidents.has(e.incidentId)) continue;
    if (e.kind === 'escalated') {
      escalations++;
      const x = entry(e.incidentId, e.at);
      x.count++;
      x.maxTier = Math.max(x.maxTier, numberField(e.data, 'tier') ?? 0);
    } else if (e.kind === 'escalation_exhausted') {
      exhausted++;
      entry(e.incidentId, e.at).exhausted = true;
    }
  }
  const list: EscalatedIncident[] = [];
  for (const [id, x] of per) {
    const i = incidents.get(id)!;
    const answer = firstAckBetween(i, allEvents.get(id) ?? [], x.first, until);
    list.push({
      id,
      title: i.title,
      team: i.team,
      escalations: x.count,
      // Only an exhaustion in the period: the tier it had reached is on the row.
      maxTier: x.count > 0 ? x.maxTier : i.escalationTier,
      exhausted: x.exhausted,
      answeredAt: answer?.at ?? null,
      answeredBy: answer?.by ?? null,
    });
  }
  return { escalations, exhausted, incidents: list.sort(unansweredFirst) };
}

/** Unanswered first, then the furthest escalated. */
export function unansweredFirst(a: EscalatedIncident, b: EscalatedIncident): number {
  return Number(a.answeredAt !== null) - Number(b.answeredAt !== null) || b.maxTier - a.maxTier || a.id - b.id;
}

function firstAckBetween(i: ReportIncident, events: readonly ReportEvent[], from: number, until: number): { at: number; by: string | null } | null {
  let best: { at: number; by: string | null } | null = null;
  const consider = (at: number, by: string | null) => {
    if (at >= from && at < until && (best === null || at < best.at)) best = { at, by };
  };
  for (const e of events) if (e.kind === 'acknowledged') consider(e.at, e.actor);
  if (i.acknowledgedAt !== null) consider(i.acknowledgedAt, i.acknowledgedBy);
  return best;
}

function sum(o: RunbookRuns['outcomes']): number {
  return Object.values(o).reduce((a, b) => a + b, 0);
}
