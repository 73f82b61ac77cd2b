import { describe, expect, it } from 'vitest';
import { computeSummary } from '../../src/reports/figures.js';
import { humanDuration, percent } from '../../src/reports/format.js';
import { renderSummaryText } from '../../src/reports/render-text.js';
import { at, HOUR, MIN, seededWeek, since, timeZone, until } from '../fixtures/reports/week.js';

describe('human durations', () => {
  it('reads like a person would say it, cutting rather than rounding up', () => {
    expect(humanDuration(0)).toBe('0s');
    expect(humanDuration(999)).toBe('0s');
    expect(humanDuration(45_000)).toBe('45s');
    expect(humanDuration(12 * MIN + 30_000)).toBe('12m 30s');
    expect(humanDuration(3 * MIN + 5_000)).toBe('3m 05s');
    expect(humanDuration(HOUR - 1)).toBe('59m 59s');
    expect(humanDuration(HOUR + 5 * MIN)).toBe('1h 05m');
    expect(humanDuration(27 * HOUR)).toBe('1d 03h');
    expect(humanDuration(null)).toBe('—');
  });

  it('shows shares with one decimal, never rounding a miss up to the target', () => {
    expect(percent(0.95)).toBe('95%');
    expect(percent(0.9496)).toBe('94.9%');
    expect(percent(5 / 7)).toBe('71.4%');
    expect(percent(1)).toBe('100%');
    expect(percent(null)).toBe('—');
  });
});

describe('the terminal report', () => {
  const s = computeSummary({ since, until, timeZone, ...seededWeek() });
  const text = renderSummaryText(s);
  const lines = text.split('\n');
  const line = (start: string) => {
    const found = lines.find((l) => l.startsWith(start));
    if (!found) throw new Error(`no line starting "${start}" in:\n${text}`);
    return found;
  };
  const cells = (start: string) => line(start).trim().split(/\s{2,}/);

  it('names the period in local time', () => {
    expect(lines[0]).toBe('Vigil report: Mon 9 Mar 2026 00:00 – Mon 16 Mar 2026 00:00 (Europe/Berlin)');
  });

  it('contains the counts, MTTA/MTTR and SLA compliance', () => {
    expect(line('Incidents:')).toBe('Incidents: 10 (critical 5, warning 3, reminder 1, info 1; P1 5, P2 3, P3 1, P4 1), 8 resolved');
    expect(cells('Time to acknowledge')).toEqual(['Time to acknowledge (MTTA)', '10m 00s', '1h 00m', '5']);
    expect(cells('Time to resolve')).toEqual(['Time to resolve (MTTR)', '30m 00s', '1d 03h', '8']);
    expect(cells('Acknowledge')).toEqual(['Acknowledge', '5', '2', '1', '71.4%', '95%', 'MISSED']);
    expect(cells('Resolve ')).toEqual(['Resolve', '4', '2', '2', '66.6%', '95%', 'MISSED']);
    expect(cells('payments')).toEqual(['payments', '5', '10m 00s', '1h 00m', '1h 00m', '1d 03h', '75%', '66.6%']);
  });

  it('lists open incidents with their age, the noise, escalations and pages', () => {
    expect(cells('#9')).toEqual(['#9', 'P1 critical', 'acknowledged', '10d 13h', 'payments', 'Ledger replication lag']);
    expect(cells('HighErrorRate')).toEqual(['HighErrorRate', '2', '2', '70']);
    expect(line('Escalations:')).toBe('Escalations: 3, 1 ran out of tiers');
    expect(line('Pages:')).toBe('Pages: 11 to people, 6 at night (22:00–07:00), 1 to shared channels');
    expect(cells('Carol')).toEqual(['Carol (carol)', '3', '2', '27.2%', '1']);
    expect(line('Runbooks:')).toContain('success rate 50%');
    expect(line('Self-healed')).toBe('Self-healed (1): #11 by restart-checkout');
    expect(cells('2026-03-12')).toEqual(['2026-03-12', '2', '1', '1', '0', '0', '—', '5m 00s']);
  });

  it('keeps columns aligned', () => {
    const table = lines.slice(lines.indexOf('Open incidents (3)') + 1, lines.indexOf('Open incidents (3)') + 5);
    const titleColumn = table.map((l) => l.indexOf(l.trim().split(/\s{2,}/).at(-1)!));
    expect(new Set(titleColumn).size).toBe(1);
  });

  it('says so in one line when nothing happened', () => {
    const empty = computeSummary({ since: at('2026-02-02T00:00:00Z'), until: at('2026-02-03T00:00:00Z'), timeZone, ...seededWeek() });
    const out = renderSummaryText(empty, { title: 'Daily digest' }).trimEnd().split('\n');
    expect(out).toEqual([
      'Daily digest: Mon 2 Feb 2026 01:00 – Tue 3 Feb 2026 01:00 (Europe/Berlin)',
      '',
      'No incidents between Mon 2 Feb 2026 01:00 and Tue 3 Feb 2026 01:00 (Europe/Berlin).',
    ]);
  });

  it('names the team of a team report', () => {
    const team = renderSummaryText(computeSummary({ since, until, timeZone, team: 'payments', ...seededWeek() }));
    expect(team.split('\n')[0]).toMatch(/, team payments$/);
    expect(team).not.toContain('platform');
  });
});
