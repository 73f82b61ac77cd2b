import { DateTime } from 'luxon';
import { severities, type Severity } from '../alerts/severity.js';
import { translate, translator, type Locale, type MessageKey, type Translate } from '../text/messages/catalog.js';
import type { Summary } from './types.js';

/**
 * How figures read to people, shared by the terminal table, the digest and the review so a duration
 * looks the same everywhere. Units are cut (never rounded up), so 59m 59.9s reads "59m 59s", not "60m 00s".
 */
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number) => String(n).padStart(2, '0');

/** The units of a duration as each language writes them: 12m 30s, 12分30秒. */
const units: Record<Locale, { d: string; h: string; m: string; s: string; gap: string }> = {
  en: { d: 'd', h: 'h', m: 'm', s: 's', gap: ' ' },
  'zh-CN': { d: '天', h: '小时', m: '分', s: '秒', gap: '' },
};

/** 45s · 12m 30s · 1h 05m · 3d 04h (45秒 · 12分30秒 · 1小时05分 · 3天04小时); null (nothing measured) reads as an em dash. */
export function humanDuration(ms: number | null, locale: Locale = 'en'): string {
  if (ms === null) return '—';
  if (ms < 0) return `-${humanDuration(-ms, locale)}`;
  const u = units[locale];
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}${u.s}`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}${u.m}${u.gap}${pad(Math.floor((ms % MINUTE) / SECOND))}${u.s}`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)}${u.h}${u.gap}${pad(Math.floor((ms % HOUR) / MINUTE))}${u.m}`;
  return `${Math.floor(ms / DAY)}${u.d}${u.gap}${pad(Math.floor((ms % DAY) / HOUR))}${u.h}`;
}

/** 0.9512 → "95.1%"; null (nothing to measure) → "—". One decimal so 94.96 % does not read as 95 %. */
export function percent(share: number | null): string {
  if (share === null) return '—';
  const tenths = Math.floor(share * 1000 + 1e-9) / 10;
  return `${Number.isInteger(tenths) ? tenths.toFixed(0) : tenths.toFixed(1)}%`;
}

/** A local wall-clock time for people reading a report in their zone: "Mon 9 Mar 2026 08:00", "2026年3月9日 周一 08:00". */
export function localTime(ms: number, timeZone: string, locale: Locale = 'en'): string {
  const local = DateTime.fromMillis(ms, { zone: timeZone });
  return locale === 'zh-CN' ? local.setLocale('zh-CN').toFormat('yyyy年M月d日 ccc HH:mm') : local.setLocale('en-GB').toFormat('ccc d LLL yyyy HH:mm');
}

/** "Mon 9 Mar 2026 00:00 – Mon 16 Mar 2026 00:00 (Europe/Berlin)" */
export function localRange(since: number, until: number, timeZone: string, locale: Locale = 'en'): string {
  return translate(locale, 'report.range', { since: localTime(since, timeZone, locale), until: localTime(until, timeZone, locale), zone: timeZone });
}

/** "Mon 9 Mar", "3月9日 周一": managers read weekdays, not ISO dates. */
export function dayLabel(isoDate: string, locale: Locale = 'en'): string {
  const day = DateTime.fromISO(isoDate);
  return locale === 'zh-CN' ? day.setLocale('zh-CN').toFormat('M月d日 ccc') : day.setLocale('en-GB').toFormat('ccc d LLL');
}

/** "9 Mar – 16 Mar 2026", "2026年3月9日 – 3月16日": the dates of a period in its zone (the body has the exact times). */
export function dayRange(since: number, until: number, timeZone: string, locale: Locale = 'en'): string {
  const a = DateTime.fromMillis(since, { zone: timeZone });
  const b = DateTime.fromMillis(until, { zone: timeZone });
  const sameYear = a.hasSame(b, 'year');
  if (locale === 'zh-CN') return `${a.toFormat('yyyy年M月d日')} – ${b.toFormat(sameYear ? 'M月d日' : 'yyyy年M月d日')}`;
  const en = (d: DateTime, f: string) => d.setLocale('en-GB').toFormat(f);
  return `${en(a, sameYear ? 'd LLL' : 'd LLL yyyy')} – ${en(b, 'd LLL yyyy')}`;
}

/** A report's reader: the language its words, durations and dates are in. */
export interface Reader {
  locale: Locale;
  t: Translate;
  duration: (ms: number | null) => string;
  time: (ms: number, timeZone: string) => string;
}

export function reader(locale: Locale = 'en'): Reader {
  return { locale, t: translator(locale), duration: (ms) => humanDuration(ms, locale), time: (ms, zone) => localTime(ms, zone, locale) };
}

/** What `render` gives in a language, rendered once per language however many readers read it. */
export function oncePerLocale<T>(render: (r: Reader) => T): (locale: Locale) => T {
  const done = new Map<Locale, T>();
  return (locale) => {
    if (!done.has(locale)) done.set(locale, render(reader(locale)));
    return done.get(locale)!;
  };
}

/** "critical 1, warning 2, …": each severity's count in the reader's words. */
export function severityCounts(r: Reader, counts: Record<Severity, number>): string {
  return severities.map((k) => `${r.t(`term.severity.${k}`)} ${counts[k]}`).join(r.t('report.sep'));
}

/** UTC ISO time without the noise of zero milliseconds: 2026-03-10T10:15:00Z. */
export function utcIso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The per-team table (header and rows), as the text report and the digest show it. */
export function teamTable(s: { teams: Summary['teams'] }, r: Reader = reader()): { header: string[]; rows: string[][] } {
  const cols = ['team', 'incidents', 'mttaMedian', 'mttaP90', 'mttrMedian', 'mttrP90', 'ackSla', 'resolveSla'] as const;
  return {
    header: cols.map((c) => r.t(`report.col.${c}`)),
    rows: s.teams.map((t) => [
      t.team ?? r.t('report.noTeam'),
      String(t.incidents),
      r.duration(t.mtta.median),
      r.duration(t.mtta.p90),
      r.duration(t.mttr.median),
      r.duration(t.mttr.p90),
      percent(t.ack.rate),
      percent(t.resolve.rate),
    ]),
  };
}

type Column = Extract<MessageKey, `report.col.${string}`> extends `report.col.${infer C}` ? C : never;

/** Table headers in the reader's words; '' is an unlabelled column. */
export function cols(r: Reader, names: readonly (Column | '')[]): string[] {
  return names.map((n) => (n === '' ? '' : r.t(`report.col.${n}`)));
}
