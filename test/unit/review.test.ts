import { describe, expect, it } from 'vitest';
import { mdCell, mdInline, mdQuote, mdTable } from '../../src/reports/markdown.js';
import { renderReview, type ReviewAlert } from '../../src/reports/review.js';
import { at, incident, Outbox, seededWeek, Timeline } from '../fixtures/reports/week.js';

/** Incident #2 of the seeded week: a P1 acknowledged late after an escalation, resolved after 5 hours. */
function seededP1() {
  const week = seededWeek();
  const p1 = week.incidents.find((i) => i.id === 2)!;
  const alerts: ReviewAlert[] = [
    {
      labels: { alertname: 'HighErrorRate', service: 'api', instance: 'api-1' },
      annotations: { summary: 'Error rate *12%* on _api_ | see [dash](http://evil.example) <img src=x>' },
      status: 'resolved',
      startsAt: at('2026-03-10T09:55:00Z'),
      endsAt: at('2026-03-10T14:58:00Z'),
      resolvedAt: at('2026-03-10T14:58:00Z'),
      receiveCount: 40,
    },
    {
      labels: { alertname: 'HighLatency', service: 'api' },
      annotations: {},
      status: 'resolved',
      startsAt: at('2026-03-10T09:58:00Z'),
      endsAt: null,
      resolvedAt: at('2026-03-10T15:00:00Z'),
      receiveCount: 12,
    },
  ];
  // Shuffled: the review must put them in time order itself.
  const events = week.events.filter((e) => e.incidentId === 2).reverse();
  return { incident: p1, alerts, events, notifications: week.notifications };
}

const sections = (md: string) => md.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3));
function section(md: string, title: string): string {
  const start = md.indexOf(`## ${title}\n`);
  expect(start, `section ${title}`).toBeGreaterThan(-1);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end === -1 ? undefined : end);
}
/** Unescaped pipes: the column separators of a Markdown table row. */
const columns = (row: string) => row.replace(/\\\\/g, '').split(/(?<!\\)\|/).length - 2;

describe('the post-incident review draft', () => {
  const md = renderReview({ ...seededP1(), baseUrl: 'https://vigil.example.com' });

  it('has every section, with root cause and follow-ups left for people', () => {
    expect(md.split('\n')[0]).toBe('# Post-incident review: #2 API error rate above 5%');
    expect(sections(md)).toEqual([
      'Summary',
      'Impact window',
      'Response',
      'Timeline',
      'Notifications and escalations',
      'Runbook actions',
      'Notes',
      'Root cause',
      'Follow-up actions',
    ]);
    expect(section(md, 'Root cause')).toContain('_To be written._');
    expect(section(md, 'Follow-up actions')).toContain('- [ ] ');
  });

  it('puts the timeline in time order with UTC times, actors and messages', () => {
    const rows = section(md, 'Timeline')
      .split('\n')
      .filter((l) => /^\| 20/.test(l));
    expect(rows).toEqual([
      '| 2026-03-10T10:00:00Z | triggered | alertmanager | triggered: API error rate above 5% |',
      '| 2026-03-10T10:05:00Z | runbook\\_finished | vigil | restart-api handed over to people |',
      '| 2026-03-10T10:15:00Z | sla\\_breached | vigil | acknowledge SLA missed |',
      '| 2026-03-10T10:15:00Z | escalated | vigil | escalated to tier 2 (Bob): nobody acknowledged within 15m |',
      '| 2026-03-10T10:20:00Z | acknowledged | bob | acknowledged by bob |',
      '| 2026-03-10T11:00:00Z | note | alice | Rolled back deploy 2026.03.10-2; error rate dropping |',
      '| 2026-03-10T14:00:00Z | sla\\_breached | vigil | resolve SLA missed |',
      '| 2026-03-10T15:00:00Z | resolved | bob | resolved by bob |',
    ]);
  });

  it('gives the impact window from the first alert to the resolution, and MTTA/MTTR against the SLAs', () => {
    expect(section(md, 'Impact window')).toContain('From 2026-03-10T09:55:00Z (first alert started) to 2026-03-10T15:00:00Z (resolved): 5h 05m.');
    const response = section(md, 'Response');
    expect(response).toContain('- Time to acknowledge: 20m 00s (SLA 15m 00s: missed)');
    expect(response).toContain('- Time to resolve: 5h 00m (SLA 4h 00m: missed)');
    const summary = section(md, 'Summary');
    expect(summary).toContain('| Incident | #2 |');
    expect(summary).toContain('| Acknowledged | 2026-03-10T10:20:00Z by bob |');
    expect(summary).toContain('| Escalated to | tier 2 |');
    expect(summary).toContain('| Record | https://vigil.example.com/incidents/2 |');
  });

  it('lists who was told what, and whether it arrived', () => {
    const n = section(md, 'Notifications and escalations');
    expect(n).toContain('- 2026-03-10T10:15:00Z: escalated to tier 2 (Bob): nobody acknowledged within 15m');
    const rows = n.split('\n').filter((l) => /^\| 20/.test(l));
    expect(rows).toEqual([
      '| 2026-03-10T10:00:00Z | page | Alice (alice) | voice | delivered 2026-03-10T10:00:05Z |',
      '| 2026-03-10T10:15:00Z | escalation | Bob (bob) | voice | delivered 2026-03-10T10:15:05Z |',
      '| 2026-03-10T10:15:00Z | escalation | Bob (bob) | sms | delivered 2026-03-10T10:15:05Z |',
    ]);
  });

  it('shows runbook actions and notes', () => {
    expect(section(md, 'Runbook actions')).toContain('- **restart-api**, started 2026-03-10T10:05:00Z: escalate');
    expect(section(md, 'Notes')).toContain('- 2026-03-10T11:00:00Z, alice:\n\n  > Rolled back deploy 2026.03.10-2; error rate dropping');
  });

  it('escapes what senders wrote, so it cannot become links, images, HTML or table columns', () => {
    const impact = section(md, 'Impact window');
    expect(impact).toContain('Error rate \\*12%\\* on \\_api\\_ \\| see \\[dash\\](http://evil.example) \\<img src=x\\>');
    expect(impact).not.toMatch(/(?<!\\)\[dash(?<!\\)\]/);
    for (const row of impact.split('\n').filter((l) => l.startsWith('|'))) expect(columns(row), row).toBe(6);
  });

  it('says so where there is nothing to tell', () => {
    const t = new Timeline().add(5, '2026-03-13T09:00:00Z', 'triggered', 'alertmanager', 'triggered');
    const md2 = renderReview({
      incident: incident({ id: 5, title: 'quiet', severity: 'warning', createdAt: at('2026-03-13T09:00:00Z'), resolvedAt: at('2026-03-13T09:10:00Z') }),
      alerts: [],
      events: t.events,
      notifications: new Outbox().notifications,
    });
    expect(section(md2, 'Runbook actions')).toContain('No runbook ran.');
    expect(section(md2, 'Notes')).toContain('No notes were added.');
    expect(section(md2, 'Notifications and escalations')).toContain('Nobody was notified.');
    expect(section(md2, 'Impact window')).toContain('From 2026-03-13T09:00:00Z (incident opened) to 2026-03-13T09:10:00Z (resolved): 10m 00s.');
    expect(section(md2, 'Response')).toContain('- Time to acknowledge: — (SLA 30m 00s: met)');
  });

});

describe('Markdown escaping', () => {
  it('neutralises inline structure and line-start markers', () => {
    expect(mdInline('a *b* _c_ `d` [e](f) <g> | h ~i~ & \\')).toBe('a \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) \\<g\\> \\| h \\~i\\~ \\& \\\\');
    expect(mdInline('# not a heading')).toBe('\\# not a heading');
    expect(mdInline('- not a list')).toBe('\\- not a list');
    expect(mdInline('1. not a list')).toBe('1\\. not a list');
    expect(mdInline('two\nlines')).toBe('two lines');
    expect(mdInline('x'.repeat(600)).length).toBe(500);
  });

  it('leaves line-start markers alone in table cells, where they mean nothing', () => {
    expect(mdCell('#12 - <x> | y')).toBe('#12 - \\<x\\> \\| y');
    expect(mdTable(['a', 'b'], [['#1', 'x|y']])).toBe('| a | b |\n|---|---|\n| #1 | x\\|y |');
  });

  it('quotes multi-line text line by line', () => {
    expect(mdQuote('# title\n\n> quoted\nplain')).toBe('> \\# title\n>\n> \\> quoted\n> plain');
  });
});
