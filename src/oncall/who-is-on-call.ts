import { DateTime } from 'luxon';
import { dayName, instantOf, type DayName } from '../time/wall-clock.js';
import { parseTimeOfDay } from '../time/time-of-day.js';
import type { Person, Team } from './people.js';
import { rotationStep, type Schedule, type ScheduleLayer } from './schema.js';

/**
 * Who is on call: pure functions over a schedule and an instant (epoch ms).
 *
 * A schedule resolves like PagerDuty's: each layer rotates its participants and has coverage where its
 * restriction (if any) allows; a later layer overrides earlier ones wherever it has coverage, and overrides
 * beat every layer (a later override beats an earlier one it overlaps).
 *
 * Handoffs and restrictions are wall-clock times in the schedule's time zone, placed on the timeline by luxon:
 * daily, weekly and whole-day rotations hand off at the local handoff time whatever the offset (the daily shift
 * of the spring-forward day in Europe/Berlin lasts 23 hours), while rotations of other lengths (12h) advance in
 * real time from their first handoff. A wall-clock time skipped by spring-forward happens when the clocks jump
 * past it; one repeated by fall-back happens on its first pass.
 */

const DAY = 86_400_000;
/**
 * How far around an instant a lookup resolves the schedule, widening until the shift found starts and ends
 * inside. A shift longer than the last span (one person covering for more than a year) is reported up to it.
 */
const LOOKUP_SPANS = [8, 32, 128, 366].map((days) => days * DAY);

export interface OnCall {
  /** The person on call (a person id), or null when the schedule has no coverage. */
  person: string | null;
  /** The layer whose rotation put them on call; null for an override or when nobody is. */
  layer: string | null;
  override: boolean;
  /** When this shift started: the handoff, restriction boundary or override that put this person on call, epoch ms. */
  shiftStart: number;
  /** When it ends: the next handoff, restriction boundary, override, or layer taking over, epoch ms. */
  shiftEnd: number;
}

/** One stretch of the resolved timeline: one person's turn in one layer, or one override, or nobody. */
export interface Shift {
  person: string | null;
  layer: string | null;
  override: boolean;
  start: number;
  end: number;
}

type Known = (person: string) => boolean;
type PeopleIndex = ReadonlyMap<string, Person>;

/**
 * Who is on call in `schedule` at `at`. A person not in `people` (possible only for a schedule that was not
 * loaded with the rules) gives no coverage: the layer underneath, or nobody, is on call instead.
 */
export function whoIsOnCall(schedule: Schedule, people: PeopleIndex, at: number): OnCall {
  return lookup(schedule, at, (id) => people.has(id));
}

/**
 * The resolved timeline from `from` to `to`, in order and without gaps: one shift per turn of a layer's rotation
 * (cut where a restriction ends it or a later layer or an override takes over), per override, and per stretch
 * where nobody is on call (person null). The first and last shift keep their real start and end, which may lie
 * outside [from, to). `people`, when given, acts as in whoIsOnCall.
 */
export function shiftsBetween(schedule: Schedule, from: number, to: number, people?: PeopleIndex): Shift[] {
  if (!(to > from)) return [];
  const known: Known = people ? (id) => people.has(id) : () => true;
  const shifts: Shift[] = resolve(schedule, from, to, known).map(({ turn: _turn, ...shift }) => shift);
  const first = shifts[0];
  const last = shifts[shifts.length - 1];
  if (first) first.start = lookup(schedule, from, known).shiftStart;
  if (last) last.end = lookup(schedule, to - 1, known).shiftEnd;
  return shifts;
}

export const tiers = ['tier1', 'tier2', 'tier3'] as const;

export interface TierOnCall extends OnCall {
  /** 1, 2 or 3. */
  tier: number;
  schedule: string;
}

/**
 * Who is on call for a team at `at`, per tier that names a schedule (in tier order): the tiers of the team's
 * escalation policy when it names one, else its tier1..tier3 schedules.
 */
export function teamOnCall(rules: TeamRules, team: TeamTiers, at: number): TierOnCall[] {
  return teamTierSchedules(rules, team).map(({ tier, name, schedule }) => ({ tier, schedule: name, ...whoIsOnCall(schedule, rules.people, at) }));
}

type TeamRules = {
  schedules: ReadonlyMap<string, Schedule>;
  people: PeopleIndex;
  escalationPolicies?: ReadonlyMap<string, { tiers: { targets: ({ schedule: string } | object)[] }[] }>;
};
type TeamTiers = Pick<Team, 'schedules'> & { escalation?: string | undefined };

/** The schedules of a team's tiers, in tier order: its escalation policy's, else tier1..tier3. */
export function teamTierSchedules(rules: TeamRules, team: TeamTiers): { tier: number; name: string; schedule: Schedule }[] {
  const policy = team.escalation === undefined ? undefined : rules.escalationPolicies?.get(team.escalation);
  const named: [number, string][] = policy
    ? policy.tiers.flatMap((tier, i) => tier.targets.flatMap((t): [number, string][] => ('schedule' in t ? [[i + 1, t.schedule]] : [])))
    : tiers.flatMap((key, i): [number, string][] => (team.schedules?.[key] === undefined ? [] : [[i + 1, team.schedules[key]!]]));
  return named.flatMap(([tier, name]) => {
    const schedule = rules.schedules.get(name);
    return schedule ? [{ tier, name, schedule }] : [];
  });
}

// ---- resolving

function lookup(schedule: Schedule, at: number, known: Known): OnCall {
  let found: Stretch | undefined;
  for (const span of LOOKUP_SPANS) {
    const from = at - span;
    const to = at + span;
    found = resolve(schedule, from, to, known).find((s) => s.start <= at && at < s.end);
    if (found && found.start > from && found.end < to) break;
  }
  if (!found) throw new Error(`no stretch of schedule "${schedule.name}" contains ${new Date(at).toISOString()}`);
  return { person: found.person, layer: found.layer, override: found.override, shiftStart: found.start, shiftEnd: found.end };
}

/** A span of time with someone on call in one turn of a layer's rotation, or in one override. */
interface Piece {
  start: number;
  end: number;
  person: string;
  /** Which turn or override: pieces of one are one shift. */
  turn: number;
}

type Stretch = Shift & { turn: string };

/** The timeline over exactly [from, to): contiguous stretches, one per turn, override or gap. */
function resolve(schedule: Schedule, from: number, to: number, known: Known): Stretch[] {
  const zone = schedule.timeZone;
  const layers = schedule.layers.map((layer) => ({ name: layer.name, pieces: layerPieces(zone, layer, from, to, known), next: 0 }));
  const overrides = schedule.overrides
    .map((o, turn) => ({ start: Math.max(o.start, from), end: Math.min(o.end, to), person: o.person, turn }))
    .filter((o) => o.start < o.end && known(o.person));

  const points = new Set<number>([from, to]);
  for (const piece of [...layers.flatMap((l) => l.pieces), ...overrides]) {
    points.add(piece.start);
    points.add(piece.end);
  }
  const sorted = [...points].sort((a, b) => a - b);

  const out: Stretch[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i]!;
    const end = sorted[i + 1]!;
    const who = whoCovers(layers, overrides, start);
    const prev = out[out.length - 1];
    if (prev && prev.end === start && prev.turn === who.turn && prev.person === who.person) {
      prev.end = end;
    } else {
      out.push({ ...who, start, end });
    }
  }
  return out;
}

/** Who covers the elementary stretch starting at `t` (calls come with increasing `t`). */
function whoCovers(
  layers: { name: string; pieces: Piece[]; next: number }[],
  overrides: Piece[],
  t: number,
): Pick<Stretch, 'person' | 'layer' | 'override' | 'turn'> {
  for (let i = overrides.length - 1; i >= 0; i--) {
    const o = overrides[i]!;
    if (o.start <= t && t < o.end) return { person: o.person, layer: null, override: true, turn: `override ${o.turn}` };
  }
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    while (layer.next < layer.pieces.length && layer.pieces[layer.next]!.end <= t) layer.next++;
    const piece = layer.pieces[layer.next];
    if (piece && piece.start <= t) return { person: piece.person, layer: layer.name, override: false, turn: `layer ${i} turn ${piece.turn}` };
  }
  return { person: null, layer: null, override: false, turn: 'nobody' };
}

/** A layer's coverage within [from, to): its rotation, cut to its restriction. Sorted, disjoint. */
function layerPieces(zone: string, layer: ScheduleLayer, from: number, to: number, known: Known): Piece[] {
  const shifts = rotationPieces(zone, layer, from, to, known);
  if (!layer.restrict) return shifts;
  const windows = restrictionWindows(zone, layer.restrict, from, to);
  const out: Piece[] = [];
  let w = 0;
  for (const shift of shifts) {
    while (w < windows.length && windows[w]!.end <= shift.start) w++;
    for (let i = w; i < windows.length && windows[i]!.start < shift.end; i++) {
      const start = Math.max(shift.start, windows[i]!.start);
      const end = Math.min(shift.end, windows[i]!.end);
      if (start < end) out.push({ start, end, person: shift.person, turn: shift.turn });
    }
  }
  return out;
}

/** The rotation's shifts overlapping [from, to), cut to it; nothing before the first shift starts. */
function rotationPieces(zone: string, layer: ScheduleLayer, from: number, to: number, known: Known): Piece[] {
  const r = layer.rotation;
  const step = rotationStep(r.every);
  if (!step) throw new Error(`layer "${layer.name}": invalid rotation "${r.every}"`);
  const firstDate = calendarDate(r.start);
  const handoff = parseTimeOfDay(r.handoff, { endOfDay: true });
  const origin = wallInstant(zone, firstDate, handoff);
  const shiftStart =
    'days' in step
      ? (k: number) => wallInstant(zone, firstDate.plus({ days: k * step.days }), handoff)
      : (k: number) => origin + k * step.ms;

  // An estimate at or before the shift containing `from`, then exact.
  let k =
    'days' in step
      ? Math.floor(localDate(zone, from).diff(firstDate, 'days').days / step.days) - 1
      : Math.floor((from - origin) / step.ms) - 1;
  k = Math.max(0, k);
  while (shiftStart(k + 1) <= from) k++;

  const n = layer.participants.length;
  const out: Piece[] = [];
  for (let start = shiftStart(k); start < to; k++) {
    const end = shiftStart(k + 1);
    const person = layer.participants[k % n]!;
    if (end > from && known(person)) out.push({ start: Math.max(start, from), end: Math.min(end, to), person, turn: k });
    start = end;
  }
  return out;
}

/** When a restricted layer has coverage, within [from, to): sorted, disjoint. */
function restrictionWindows(
  zone: string,
  restrict: { days: DayName[]; start: string; end: string },
  from: number,
  to: number,
): { start: number; end: number }[] {
  const startMinutes = parseTimeOfDay(restrict.start, { endOfDay: true });
  const endMinutes = parseTimeOfDay(restrict.end, { endOfDay: true });
  // End not after start: the window closes on the following day.
  const endOffset = endMinutes <= startMinutes ? endMinutes + 24 * 60 : endMinutes;
  const out: { start: number; end: number }[] = [];
  const last = localDate(zone, to);
  // From the day before: a window crossing midnight may still be open at `from`.
  for (let date = localDate(zone, from).minus({ days: 1 }); date <= last; date = date.plus({ days: 1 })) {
    if (!restrict.days.includes(dayName(date.weekday))) continue;
    const start = wallInstant(zone, date, startMinutes);
    const end = wallInstant(zone, date, endOffset);
    if (end <= from || start >= to || end <= start) continue;
    const prev = out[out.length - 1];
    if (prev && prev.end >= start) prev.end = Math.max(prev.end, end);
    else out.push({ start, end });
  }
  return out;
}

// ---- time helpers
// Calendar dates are luxon DateTimes at midnight UTC: date arithmetic on them has no DST.

function calendarDate(isoDate: string): DateTime {
  return DateTime.fromISO(isoDate, { zone: 'UTC' });
}

/** The local calendar date in `zone` at instant `ms`. */
function localDate(zone: string, ms: number): DateTime {
  const local = DateTime.fromMillis(ms, { zone });
  if (!local.isValid) throw new Error(`unknown time zone "${zone}"`);
  return local.setZone('UTC', { keepLocalTime: true }).startOf('day');
}


/**
 * Wall-clock times already placed on the timeline, by zone and reading: lookups around the same time place the
 * same handoffs and window edges again and again. Results are the same as without it.
 */
const placed = new Map<string, number>();
const MAX_PLACED = 50_000;

/**
 * The first instant the wall clock in `zone` reads `minutes` after the start of the calendar date `date`
 * (1440 or more: on a following day): its first pass if fall-back repeats it, the jump if spring-forward skips it.
 */
function wallInstant(zone: string, date: DateTime, minutes: number): number {
  const key = `${zone} ${date.toMillis() + minutes * 60_000}`;
  const known = placed.get(key);
  if (known !== undefined) return known;
  if (placed.size >= MAX_PLACED) placed.clear();
  const ms = instantOf(zone, date.plus({ minutes }).toMillis());
  placed.set(key, ms);
  return ms;
}



