import type { Lang } from './i18n.js';
import type { Incident } from './types.js';

/**
 * Times and durations as people read them, in their own language and zone (Intl). Pure: `now` is passed in.
 */

const units = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
] as const;

const unitFormats = new Map<string, Intl.NumberFormat>();
function unitFormat(lang: Lang, unit: string): Intl.NumberFormat {
  const key = `${lang}:${unit}`;
  let f = unitFormats.get(key);
  if (!f) unitFormats.set(key, (f = new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'narrow' })));
  return f;
}

/**
 * A duration in its two largest units, rounded down: "45s", "12m", "2h 5m", "3d 4h" ("2小时5分钟" in Chinese).
 * Under a minute shows seconds; negative durations count as zero.
 */
export function formatDuration(ms: number, lang: Lang): string {
  const total = Math.max(0, Math.floor(ms / 1000) * 1000);
  const first = units.findIndex(([, size]) => total >= size);
  if (first < 0) return unitFormat(lang, 'second').format(0);
  const [unit, size] = units[first]!;
  const n = Math.floor(total / size);
  const next = units[first + 1];
  const m = next ? Math.floor((total - n * size) / next[1]) : 0;
  // "1d 0h" reads worse than "1d".
  if (!next || m === 0) return unitFormat(lang, unit).format(n);
  return unitFormat(lang, unit).format(n) + (lang === 'en' ? ' ' : '') + unitFormat(lang, next[0]).format(m);
}

/** How long ago something started. */
export function age(sinceIso: string, now: number, lang: Lang): string {
  return formatDuration(now - Date.parse(sinceIso), lang);
}

const dateTimes = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(lang: Lang, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}:${JSON.stringify(options)}`;
  let f = dateTimes.get(key);
  if (!f) dateTimes.set(key, (f = new Intl.DateTimeFormat(lang, options)));
  return f;
}

/** A moment in the viewer's zone (or `timeZone`), e.g. "Nov 22, 2026, 4:30 PM" / "2026年11月22日 16:30". */
export function formatTime(iso: string | number, lang: Lang, timeZone?: string): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  return dateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(ms);
}

/** Same, with the zone's name, for a schedule's own clock: "Mon, Nov 23, 9:00 AM CET". */
export function formatZonedTime(iso: string, lang: Lang, timeZone: string): string {
  return dateTimeFormat(lang, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone }).format(Date.parse(iso));
}

/** A local day "2026-11-22" shown short: "Nov 22" / "11月22日". */
export function formatDay(date: string, lang: Lang): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return dateTimeFormat(lang, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
}

export function formatPercent(rate: number | null, lang: Lang): string {
  if (rate === null) return '—';
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

export function formatNumber(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang).format(n);
}

/** Where an incident's SLA clock stands: the one that runs now (acknowledge, then resolve) or how it ended. */
export type SlaClock =
  | { phase: 'acknowledge' | 'resolve'; state: 'running'; leftMs: number; dueAt: number }
  | { phase: 'acknowledge' | 'resolve'; state: 'missed'; overMs: number | null }
  | { phase: null; state: 'met' | 'none' };

export function slaClock(i: Pick<Incident, 'status' | 'sla'>, now: number): SlaClock {
  const { sla } = i;
  if (i.status === 'resolved') {
    if (sla.acknowledge === 'missed') return { phase: 'acknowledge', state: 'missed', overMs: null };
    if (sla.resolve === 'missed') return { phase: 'resolve', state: 'missed', overMs: null };
    return sla.acknowledgeBy || sla.resolveBy ? { phase: null, state: 'met' } : { phase: null, state: 'none' };
  }
  const phase = i.status === 'triggered' && sla.acknowledgeBy ? 'acknowledge' : sla.resolveBy ? 'resolve' : null;
  if (phase === null) {
    // Acknowledged without a resolve SLA, but the ack was late: still worth showing.
    if (sla.acknowledge === 'missed') return { phase: 'acknowledge', state: 'missed', overMs: null };
    return { phase: null, state: 'none' };
  }
  const due = Date.parse((phase === 'acknowledge' ? sla.acknowledgeBy : sla.resolveBy)!);
  const flagged = (phase === 'acknowledge' ? sla.acknowledge : sla.resolve) === 'missed';
  if (flagged || now >= due) return { phase, state: 'missed', overMs: Math.max(0, now - due) };
  if (phase === 'resolve' && sla.acknowledge === 'missed') return { phase: 'acknowledge', state: 'missed', overMs: null };
  return { phase, state: 'running', leftMs: due - now, dueAt: due };
}
