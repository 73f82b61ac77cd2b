import { describe, expect, it } from 'vitest';
import { nextPopup, raisedBy, tabTitle, withoutStale } from '../../src/console/web/alerting.js';
import { boardSearch, incidentsRequest, parseBoardQuery, patchRows } from '../../src/console/web/board-query.js';
import { languages, pickLanguage, translate } from '../../src/console/web/i18n.js';
import { matcherLines, prefillMatchers, quoteValue } from '../../src/console/web/matchers.js';
import { cappedList, niceCeiling } from '../../src/console/web/report-shape.js';
import type { Batch, Incident } from '../../src/console/web/types.js';
import { webHref } from '../../src/console/web/web-link.js';

function incident(id: number, over: Partial<Incident> = {}): Incident {
  return {
    id,
    title: `incident ${id}`,
    status: 'triggered',
    severity: 'warning',
    priority: 'P2',
    team: 'platform',
    service: 'api',
    alertCount: 1,
    createdAt: new Date(Date.UTC(2026, 10, 22, 16, id)).toISOString(),
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    suppressed: false,
    flapping: false,
    escalationTier: 1,
    pageHeldUntil: null,
    sla: { acknowledge: null, resolve: null, acknowledgeBy: null, resolveBy: null },
    ...over,
  };
}

describe('languages', () => {
  it('the remembered choice wins, else the first browser language Vigil speaks, else English', () => {
    expect(pickLanguage('en', ['zh-CN'])).toBe('en');
    expect(pickLanguage(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(pickLanguage(null, ['zh-TW'])).toBe('zh-CN');
    expect(pickLanguage(null, ['fr-FR', 'zh'])).toBe('zh-CN');
    expect(pickLanguage(null, ['en-GB', 'zh-CN'])).toBe('en');
    expect(pickLanguage('klingon', ['de'])).toBe('en');
  });

  it('fills placeholders and uses the handbook’s Chinese terms', () => {
    expect(translate('en', 'popup.titleMany', { count: 2 })).toBe('2 critical incidents');
    expect(translate('zh-CN', 'severity.critical')).toBe('严重');
    expect(translate('zh-CN', 'priority.P1')).toBe('P1 紧急');
    expect(translate('zh-CN', 'popup.title')).toBe('严重预警');
    expect(translate('zh-CN', 'channel.voice')).toBe('电话通知');
    expect(translate('en', 'board.showing', { shown: 1 })).toBe('Showing 1 of {total}');
  });

  it('speaks the languages of the shared catalog', () => {
    expect(languages).toEqual(['en', 'zh-CN']);
  });
});

describe('silence matchers from an incident’s alerts', () => {
  it('are the labels every alert shares, alertname first, quoted as Alertmanager reads them', () => {
    const alerts = [
      { labels: { severity: 'critical', alertname: 'DiskFull', instance: 'db-1', service: 'checkout' } },
      { labels: { alertname: 'DiskFull', instance: 'db-2', service: 'checkout', severity: 'critical' } },
    ];
    expect(prefillMatchers(alerts)).toEqual(['alertname="DiskFull"', 'service="checkout"', 'severity="critical"']);
    expect(prefillMatchers([])).toEqual([]);
  });

  it('escape quotes, backslashes and newlines', () => {
    expect(quoteValue('say "hi"\\n\nnow')).toBe('"say \\"hi\\"\\\\n\\nnow"');
    expect(prefillMatchers([{ labels: { path: 'C:\\temp', empty: '' } }])).toEqual(['path="C:\\\\temp"']);
  });

  it('one per line from the text box', () => {
    expect(matcherLines(' alertname="A"\n\n  service=~"web.*" \n')).toEqual(['alertname="A"', 'service=~"web.*"']);
  });
});

describe('the board’s address', () => {
  it('reads tab, filters and order, and writes back only what differs from the defaults', () => {
    const q = parseBoardQuery('?tab=triggered&severity=critical&team=platform&q=disk&mine=1');
    expect(q).toEqual({ tab: 'triggered', severity: 'critical', team: 'platform', service: null, q: 'disk', mine: true, sort: 'urgency' });
    expect(boardSearch(q)).toBe('?tab=triggered&severity=critical&team=platform&q=disk&mine=1');
    expect(boardSearch(parseBoardQuery(''))).toBe('');
    expect(parseBoardQuery('?tab=resolved').sort).toBe('newest');
    expect(parseBoardQuery('?tab=nonsense&severity=huge&sort=random')).toEqual(parseBoardQuery(''));
  });

  it('asks the server for one page with the counts', () => {
    const q = parseBoardQuery('?severity=warning&mine=1');
    expect(incidentsRequest(q, { limit: 100, counts: true })).toBe('/api/v1/incidents?status=open&severity=warning&mine=true&sort=urgency&limit=100&counts=true');
    expect(incidentsRequest(parseBoardQuery('?tab=all'), { limit: 100, counts: false, cursor: 'u1-5-7' })).toBe('/api/v1/incidents?sort=newest&limit=100&cursor=u1-5-7');
  });
});

describe('patching the board from live changes', () => {
  const open = parseBoardQuery('');

  it('replaces changed rows, drops those that leave the tab, and places new ones in urgency order', () => {
    const rows = [incident(1, { severity: 'critical' }), incident(2), incident(3)];
    const { rows: out, refetch } = patchRows(rows, [incident(2, { status: 'resolved' }), incident(4, { severity: 'critical' }), incident(3, { status: 'acknowledged' })], open, true);
    expect(out.map((r) => [r.id, r.status])).toEqual([
      [1, 'triggered'],
      [4, 'triggered'],
      [3, 'acknowledged'],
    ]);
    expect(refetch).toBe(false);
  });

  it('leaves a new row that sorts after the loaded page for "load more"', () => {
    const rows = [incident(1, { severity: 'critical' }), incident(2)];
    expect(patchRows(rows, [incident(9)], open, false).rows.map((r) => r.id)).toEqual([1, 2]);
    expect(patchRows(rows, [incident(9, { severity: 'critical' })], open, false).rows.map((r) => r.id)).toEqual([1, 9, 2]);
  });

  it('asks the server when free text or "mine" decide whether a new incident belongs', () => {
    const q = parseBoardQuery('?q=disk');
    expect(patchRows([], [incident(5)], q, true)).toEqual({ rows: [], refetch: true });
    expect(patchRows([], [incident(5, { severity: 'critical' })], parseBoardQuery('?severity=warning&q=disk'), true)).toEqual({ rows: [], refetch: false });
  });
});

describe('what raises the pop-up', () => {
  const batch = (over: Partial<Batch>): Batch => ({ seq: 1, at: '2026-11-22T16:30:00Z', incidents: [], opened: [], escalatedToMe: [], ...over });

  it('critical incidents that opened or escalated to the viewer; warnings get a notice; reminders and info nothing', () => {
    const b = batch({
      incidents: [
        incident(1, { severity: 'critical' }),
        incident(2, { severity: 'warning' }),
        incident(3, { severity: 'reminder' }),
        incident(4, { severity: 'info' }),
        incident(5, { severity: 'critical' }),
        incident(6, { severity: 'critical', suppressed: true }),
        incident(7, { severity: 'critical', status: 'acknowledged' }),
      ],
      opened: [1, 2, 3, 4, 6, 7],
      escalatedToMe: [5],
    });
    const raised = raisedBy(b);
    expect(raised.critical.map((c) => [c.incident.id, c.escalated])).toEqual([
      [1, false],
      [5, true],
    ]);
    expect(raised.warnings.map((w) => w.id)).toEqual([2]);
    expect(raisedBy(batch({ incidents: [incident(8, { severity: 'critical' })] }))).toEqual({ critical: [], warnings: [] });
  });

  it('stacks what waits, and lets go of what someone acknowledged or resolved meanwhile', () => {
    const first = batch({ incidents: [incident(1, { severity: 'critical' })], opened: [1] });
    let waiting = nextPopup([], first, raisedBy(first).critical);
    const second = batch({ seq: 2, incidents: [incident(2, { severity: 'critical' })], opened: [2] });
    waiting = nextPopup(waiting, second, raisedBy(second).critical);
    expect(waiting.map((w) => w.incident.id)).toEqual([1, 2]);
    const acked = batch({ seq: 3, incidents: [incident(1, { severity: 'critical', status: 'acknowledged' })] });
    expect(nextPopup(waiting, acked, raisedBy(acked).critical).map((w) => w.incident.id)).toEqual([2]);
  });

  it('a batch read before an acknowledgement the viewer saw does not raise the incident again; reopening does', () => {
    const settled = new Map([[3, 'acknowledged' as const]]);
    const stale = batch({ seq: 4, incidents: [incident(3, { severity: 'critical' }), incident(4, { severity: 'critical' })], opened: [4], escalatedToMe: [3] });
    const checked = withoutStale(stale, settled);
    expect(checked.batch.incidents.map((i) => i.id)).toEqual([4]);
    expect(checked.batch.escalatedToMe).toEqual([]);
    expect(raisedBy(checked.batch).critical.map((c) => c.incident.id)).toEqual([4]);

    const reopened = withoutStale(batch({ seq: 5, incidents: [incident(3, { severity: 'critical' })], opened: [3] }), checked.settled);
    expect(raisedBy(reopened.batch).critical.map((c) => c.incident.id)).toEqual([3]);
    expect(reopened.settled.has(3)).toBe(false);
    // What the stream says settled is remembered too.
    expect(withoutStale(batch({ incidents: [incident(5, { status: 'resolved' })] }), new Map()).settled.get(5)).toBe('resolved');
  });

  it('counts the waiting ones in the tab title', () => {
    expect(tabTitle(2, null)).toBe('(2) Vigil');
    expect(tabTitle(0, null)).toBe('Vigil');
    expect(tabTitle(1, 'On call')).toBe('(1) On call · Vigil');
  });
});

describe('report lists and charts', () => {
  it('read a list whether it comes whole or capped with its total', () => {
    expect(cappedList([1, 2])).toEqual({ items: [1, 2], total: 2 });
    expect(cappedList({ total: 250, items: [1, 2] })).toEqual({ items: [1, 2], total: 250 });
    expect(cappedList({ total: 1, items: [1, 2] })).toEqual({ items: [1, 2], total: 2 });
    expect(cappedList(undefined)).toEqual({ items: [], total: 0 });
  });

  it('round an axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 12, 26, 51, 999].map(niceCeiling)).toEqual([1, 1, 5, 10, 20, 50, 100, 1000]);
  });
});

describe('links from alert data', () => {
  it('only http(s) addresses become links', () => {
    expect(webHref('https://grafana.example.com/d/abc?x=1')).toBe('https://grafana.example.com/d/abc?x=1');
    expect(webHref('javascript:alert(1)')).toBeNull();
    expect(webHref('data:text/html,<b>x</b>')).toBeNull();
    expect(webHref('/relative')).toBeNull();
    expect(webHref(' https://x')).toBeNull();
  });
});
