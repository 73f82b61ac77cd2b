import { describe, expect, it } from 'vitest';
import { renderDigest, renderDigestChat } from '../../src/reports/digest.js';
import { computeSummary } from '../../src/reports/figures.js';
import { at, incident, seededWeek, since, timeZone, until } from '../fixtures/reports/week.js';

const summary = () => computeSummary({ since, until, timeZone, ...seededWeek() });

/** The rows of one chart table: each row's cells, with bar segments as {colour, width}. */
function chartRows(html: string, chart: string) {
  const start = html.indexOf(`data-chart="${chart}"`);
  expect(start, `chart ${chart}`).toBeGreaterThan(-1);
  const table = html.slice(start, html.indexOf('</table>\n', start));
  return table
    .split('\n')
    .filter((l) => l.startsWith('<tr><td') && !l.includes('colspan'))
    .map((row) => ({
      label: /title="([\d-]+)">([^<]+)</.exec(row)?.slice(1),
      segments: [...row.matchAll(/width="(\d+)" height="\d+" bgcolor="(#[0-9a-f]{6})"/g)].map((m) => ({ width: Number(m[1]), colour: m[2] })),
      values: [...row.matchAll(/<td style="padding:2px 0 2px 6px[^"]*">([^<]+)<\/td>/g)].map((m) => m[1]),
    }));
}

describe('the digest email', () => {
  const s = summary();
  const digest = renderDigest(s, { title: 'Weekly digest', baseUrl: 'https://vigil.example.com/' });

  it('has a subject that says how the period went', () => {
    expect(digest.subject).toBe('[Vigil] Weekly digest, 9 Mar – 16 Mar 2026: 10 incidents, 3 open, ack SLA 71.4% (missed), resolve SLA 66.6% (missed)');
  });

  it('shows the headline figures', () => {
    const figures = digest.html.slice(digest.html.indexOf('data-section="figures"'), digest.html.indexOf('</table>', digest.html.indexOf('data-section="figures"')));
    const bold = [...figures.matchAll(/font-weight:bold;color:(#[0-9a-f]{6})">([^<]+)</g)].map((m) => [m[2], m[1]]);
    expect(bold).toEqual([
      ['10', '#222222'],
      ['10m 00s', '#222222'],
      ['30m 00s', '#222222'],
      ['71.4%', '#c62828'], // missed: red
      ['66.6%', '#c62828'],
    ]);
    expect(figures).toContain('median · p90 1h 00m');
    expect(figures).toContain('target 95%: MISSED (5/7)');
  });

  it('draws incidents per day as bars stacked by severity, to scale', () => {
    const rows = chartRows(digest.html, 'incidents-per-day');
    expect(rows.map((r) => r.label)).toEqual([
      ['2026-03-09', 'Mon 9 Mar'],
      ['2026-03-10', 'Tue 10 Mar'],
      ['2026-03-11', 'Wed 11 Mar'],
      ['2026-03-12', 'Thu 12 Mar'],
      ['2026-03-13', 'Fri 13 Mar'],
      ['2026-03-14', 'Sat 14 Mar'],
      ['2026-03-15', 'Sun 15 Mar'],
    ]);
    // The busiest days have 2 incidents and fill the 320px bar: 160px per incident.
    expect(rows[3]!.segments).toEqual([
      { width: 160, colour: '#d32f2f' },
      { width: 160, colour: '#f9a825' },
    ]);
    expect(rows[4]!.segments).toEqual([{ width: 160, colour: '#1976d2' }]);
    expect(rows[5]!.segments).toEqual([
      { width: 160, colour: '#d32f2f' },
      { width: 160, colour: '#757575' },
    ]);
    expect(rows.map((r) => r.values.at(-1))).toEqual(['1', '1', '1', '2', '1', '2', '2']);
  });

  it('draws the MTTA/MTTR trend with the values beside the bars', () => {
    const rows = chartRows(digest.html, 'response-trend');
    expect(rows.map((r) => r.values)).toEqual([
      ['4m 00s', '1h 00m'],
      ['20m 00s', '5h 00m'],
      ['10m 00s', '2h 00m'],
      ['—', '5m 00s'],
      ['1h 00m', '1d 03h'],
      ['5m 00s', '30m 00s'],
      ['—', '—'],
    ]);
    // Each measure on its own scale: the longest MTTA (1h) and the longest MTTR (27h) fill 160px.
    expect(rows[4]!.segments).toEqual([
      { width: 160, colour: '#1976d2' },
      { width: 160, colour: '#7b1fa2' },
    ]);
    expect(rows[0]!.segments.map((x) => x.width)).toEqual([11, 6]); // 4m of 60m, 1h of 27h
    expect(rows[6]!.segments).toEqual([]);
  });

  it('lists open incidents, noise, escalations and on-call load, linking incidents', () => {
    const { html } = digest;
    expect(html).toContain('<a href="https://vigil.example.com/incidents/9">#9</a>');
    expect(html).toMatch(/#9<\/a><\/td><td[^>]*>P1 critical<\/td><td[^>]*>acknowledged<\/td><td[^>]*>10d 13h<\/td>/);
    expect(html).toMatch(/>HighErrorRate<\/td><td[^>]*>2<\/td><td[^>]*>2<\/td><td[^>]*>70<\/td>/);
    expect(html).toContain('3 escalations; 1 ran through every tier without an acknowledgement.');
    expect(html).toContain('11 pages to people, 6 at night (22:00–07:00 Europe/Berlin); 1 to shared channels.');
    expect(html).toMatch(/>Carol<\/td><td[^>]*>3<\/td><td[^>]*>2<\/td><td[^>]*>27.2%<\/td><td[^>]*>1<\/td>/);
    expect(html).toContain('5 runbook runs, success rate 50%');
    expect(html).toContain('Nightly backup finished late');
  });

  it('works in mail clients: no scripts, styles, images or outside resources', () => {
    expect(digest.html).not.toMatch(/<script|<style|<img|<svg|<link|src=/i);
    const urls = [...digest.html.matchAll(/https?:\/\/[^"<\s]+/g)].map((m) => m[0]);
    // Only Vigil's own pages: the console's incidents and this period's charts.
    expect(urls.filter((u) => !u.startsWith('https://vigil.example.com/incidents/'))).toEqual([
      'https://vigil.example.com/reports?since=2026-03-08T23%3A00%3A00.000Z&amp;until=2026-03-15T23%3A00%3A00.000Z',
    ]);
  });

  it('escapes what senders wrote', () => {
    const w = seededWeek();
    w.incidents[0] = { ...w.incidents[0]!, title: '<script>alert(1)</script> & "x"' };
    const html = renderDigest(computeSummary({ since, until, timeZone, ...w }), { title: 'Weekly <digest>' }).html;
    expect(html).not.toContain('<script>');
    expect(html).toContain('Weekly &lt;digest&gt;');
    const open = computeSummary({ since, until, timeZone, ...w, incidents: [incident({ id: 1, title: '<b>x</b>', severity: 'critical', createdAt: at('2026-03-15T20:00:00Z') })] });
    expect(renderDigest(open, { title: 'D' }).html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('has a plain-text part with the same figures', () => {
    expect(digest.text.split('\n')[0]).toBe('Weekly digest: Mon 9 Mar 2026 00:00 – Mon 16 Mar 2026 00:00 (Europe/Berlin)');
    expect(digest.text).toMatch(/Time to acknowledge \(MTTA\)\s+10m 00s\s+1h 00m\s+5/);
    expect(digest.text).toMatch(/Acknowledge\s+5\s+2\s+1\s+71\.4%\s+95%\s+MISSED/);
    expect(digest.text).toContain('Charts and tables of this period: https://vigil.example.com/reports?since=2026-03-08T23%3A00%3A00.000Z&until=2026-03-15T23%3A00%3A00.000Z');
  });

  it('says in one line that nothing happened, instead of empty tables', () => {
    const empty = computeSummary({ since: at('2026-02-01T23:00:00Z'), until: at('2026-02-02T23:00:00Z'), timeZone, ...seededWeek() });
    const d = renderDigest(empty, { title: 'Daily digest' });
    expect(d.subject).toBe('[Vigil] Daily digest, 2 Feb – 3 Feb 2026: no incidents');
    expect(d.html).toContain('No incidents between Mon 2 Feb 2026 00:00 and Tue 3 Feb 2026 00:00 (Europe/Berlin).');
    expect(d.html).not.toContain('<table');
    expect(d.text.trimEnd().split('\n').at(-1)).toBe('No incidents between Mon 2 Feb 2026 00:00 and Tue 3 Feb 2026 00:00 (Europe/Berlin).');
  });
});

describe('the digest for chat', () => {
  it('gives the headline figures as Block Kit fields, with a fallback text', () => {
    const chat = renderDigestChat(summary(), { title: 'Weekly digest' });
    expect(chat.text).toBe('Weekly digest: 10 incidents, 3 open; MTTA 10m 00s, MTTR 30m 00s; ack SLA 71.4%, resolve SLA 66.6%');
    expect(chat.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Weekly digest' } });
    const fields = (chat.blocks[2] as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields).toContain('*MTTA*\n10m 00s median, 1h 00m p90');
    expect(fields).toContain('*Ack SLA*\n71.4% ❌ (target 95%, MISSED)');
    expect(fields).toContain('*Pages*\n11, 6 at night');
    const lists = (chat.blocks[3] as { text: { text: string } }).text.text;
    expect(lists).toContain('*Noisiest:* HighErrorRate (2 incidents), HighCPU (2 incidents), InstanceDown (1 incident)');
    expect(lists).toContain('*Unanswered escalations:* #7 Payment gateway down');
  });

  it('escapes Slack control characters and says so in one line when empty', () => {
    const w = seededWeek();
    w.incidents[6] = { ...w.incidents[6]!, title: 'Gateway <!channel> & co' };
    const chat = renderDigestChat(computeSummary({ since, until, timeZone, ...w }));
    expect(JSON.stringify(chat.blocks)).toContain('Gateway &lt;!channel&gt; &amp; co');
    const empty = renderDigestChat(computeSummary({ since: at('2026-02-01T23:00:00Z'), until: at('2026-02-02T23:00:00Z'), timeZone, ...seededWeek() }), { title: 'Daily digest' });
    expect(empty.blocks).toHaveLength(3);
    expect(empty.text).toBe('Daily digest: No incidents between Mon 2 Feb 2026 00:00 and Tue 3 Feb 2026 00:00 (Europe/Berlin).');
  });
});
