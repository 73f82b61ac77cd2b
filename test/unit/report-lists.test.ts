import { describe, expect, it } from 'vitest';
import { renderDigest, renderDigestChat } from '../../src/reports/digest.js';
import { computeSummary, createSummaryBuilder } from '../../src/reports/figures.js';
import { renderSummaryText } from '../../src/reports/render-text.js';
import type { ReportEvent, ReportIncident } from '../../src/reports/types.js';
import { at, HOUR, incident, MIN, seededWeek, since, timeZone, until } from '../fixtures/reports/week.js';

/**
 * A busy week: 90 warnings still open, 10 criticals still open, 70 info incidents, 60 flapping incidents,
 * 40 self-healed ones and 30 escalations nobody answered. Every list of the summary is longer than it keeps.
 */
function busyWeek() {
  const incidents: ReportIncident[] = [];
  const events: ReportEvent[] = [];
  let id = 0;
  const start = at('2026-03-09T00:00:00Z');
  const add = (fields: Partial<ReportIncident> & Pick<ReportIncident, 'severity'>) => {
    id++;
    const i = incident({ id, title: `incident ${id}`, createdAt: start + id * MIN, ...fields });
    incidents.push(i);
    events.push({ id: events.length + 1, incidentId: id, at: i.createdAt, kind: 'triggered', actor: 'alertmanager', message: 'triggered', data: null });
    return i;
  };
  for (let k = 0; k < 90; k++) add({ severity: 'warning' });
  for (let k = 0; k < 10; k++) add({ severity: 'critical' });
  for (let k = 0; k < 70; k++) add({ severity: 'info', resolvedAt: start + id * MIN + 2 * MIN });
  for (let k = 0; k < 60; k++) {
    const i = add({ severity: 'warning', resolvedAt: start + id * MIN + HOUR, reopenCount: 1 });
    events.push({ id: events.length + 1, incidentId: i.id, at: i.createdAt + 10 * MIN, kind: 'resolved', actor: 'alertmanager', message: 'resolved', data: null });
    events.push({ id: events.length + 1, incidentId: i.id, at: i.createdAt + 20 * MIN, kind: 'reopened', actor: 'alertmanager', message: 'reopened', data: null });
    events.push({ id: events.length + 1, incidentId: i.id, at: i.resolvedAt!, kind: 'resolved', actor: 'alertmanager', message: 'resolved', data: null });
  }
  for (let k = 0; k < 40; k++) {
    const i = add({ severity: 'critical', resolvedAt: start + id * MIN + 3 * MIN, policy: null });
    events.push({ id: events.length + 1, incidentId: i.id, at: i.resolvedAt!, kind: 'self_healed', actor: 'vigil', message: 'healed', data: { runbook: 'restart' } });
  }
  for (let k = 0; k < 30; k++) {
    const i = add({ severity: 'critical', resolvedAt: start + id * MIN + 5 * HOUR });
    events.push({ id: events.length + 1, incidentId: i.id, at: i.createdAt + 15 * MIN, kind: 'escalated', actor: 'vigil', message: 'escalated', data: { tier: 2 } });
  }
  return { since, until, timeZone, incidents, events, notifications: [], alerts: [] };
}

describe('lists in a summary', () => {
  const week = busyWeek();
  const s = computeSummary(week);

  it('keep the first 50 of each list in its order, and count them all', () => {
    expect([s.open.length, s.openTotal]).toEqual([50, 100]);
    // Most urgent first, then the oldest: the 10 criticals, then the 40 oldest warnings.
    expect(s.open.slice(0, 10).every((o) => o.severity === 'critical')).toBe(true);
    expect(s.open.slice(10).map((o) => o.id)).toEqual(Array.from({ length: 40 }, (_, k) => k + 1));
    expect([s.info.length, s.infoTotal]).toEqual([50, 70]);
    // Newest first.
    expect(s.info[0]!.id).toBe(170);
    expect(s.info.at(-1)!.id).toBe(121);
    expect([s.flapping.length, s.flappingTotal]).toEqual([50, 60]);
    expect([s.selfHealed.length, s.selfHealedTotal]).toEqual([40, 40]);
    expect(s.selfHealed[0]!.id).toBe(270);
    expect([s.escalations.incidents.length, s.escalations.incidentsTotal, s.escalations.unanswered]).toEqual([30, 30, 30]);
    // The figures are over every incident, not the lists.
    expect(s.incidents.total).toBe(300);
  });

  it('keep the same items whatever order and chunks the rows come in', () => {
    const builder = createSummaryBuilder(week);
    const ids = week.incidents.map((i) => i.id).reverse();
    for (let k = 0; k < ids.length; k += 7) {
      const of = new Set(ids.slice(k, k + 7));
      builder.add({ incidents: week.incidents.filter((i) => of.has(i.id)), events: week.events.filter((e) => of.has(e.incidentId)), notifications: [], alerts: [] });
    }
    expect(builder.finish()).toEqual(s);
  });

  it('keep as many as asked for, none at all included', () => {
    const few = computeSummary({ ...week, listLimit: 3 });
    expect(few.open.map((o) => o.id)).toEqual(s.open.slice(0, 3).map((o) => o.id));
    expect([few.openTotal, few.escalations.incidents.length, few.escalations.incidentsTotal]).toEqual([100, 3, 30]);
    const none = computeSummary({ ...week, listLimit: 0 });
    expect([none.open, none.info, none.flapping, none.selfHealed, none.escalations.incidents]).toEqual([[], [], [], [], []]);
    expect([none.openTotal, none.infoTotal, none.flappingTotal, none.selfHealedTotal, none.escalations.incidentsTotal]).toEqual([100, 70, 60, 40, 30]);
    expect(none.empty).toBe(false);
  });

  it('say how many more there are in the terminal report', () => {
    const text = renderSummaryText(s);
    expect(text).toContain('Open incidents (100)\n');
    expect(text).toContain('… and 80 more'); // 20 rows shown of 100
    expect(text).toContain('Info (70, no page)');
    expect(text).toContain('… and 50 more');
    expect(text).toMatch(/Self-healed \(40\): #270 by restart, #269 by restart, .*, #251 by restart, and 20 more\n/);
    const none = renderSummaryText(computeSummary({ ...week, listLimit: 0 }));
    expect(none).toContain('Open incidents (100)\n… and 100 more');
  });

  it('say how many more there are in the digest email and chat', () => {
    const email = renderDigest(s, { title: 'Weekly digest' });
    expect(email.subject).toContain('300 incidents, 100 open');
    expect(email.html).toContain('Open incidents (100)');
    expect(email.html).toContain('… and 85 more.'); // 15 rows shown of 100
    expect(email.html).toContain('Info (70, no page)');
    expect(email.html).toContain('… and 55 more.');
    expect(email.text).toContain('… and 80 more');
    const chat = renderDigestChat(s, { title: 'Weekly digest' });
    expect(chat.text).toMatch(/^Weekly digest: 300 incidents, 100 open;/);
    const lists = JSON.stringify(chat.blocks);
    expect(lists).toContain('and 97 more'); // most urgent open: 3 of 100
    expect(lists).toContain('and 27 more'); // unanswered escalations: 3 of 30
  });

  it('in the seeded week are short enough to be whole', () => {
    const week = computeSummary({ since, until, timeZone, ...seededWeek() });
    expect([week.openTotal, week.infoTotal, week.flappingTotal, week.selfHealedTotal, week.escalations.incidentsTotal, week.escalations.unanswered]).toEqual([
      3, 1, 1, 1, 2, 1,
    ]);
    expect(renderSummaryText(week)).not.toContain('more');
  });
});
