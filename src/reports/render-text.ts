import { severities } from '../alerts/severity.js';
import { cols, localRange, percent, reader, severityCounts, teamTable, type Reader } from './format.js';
import { clip, textTable } from './text-table.js';
import type { Compliance, Summary } from './types.js';

/**
 * The summary as plain text: `vigil report` prints it, and it is the digest email's text part, so a
 * reader without HTML sees the same figures. In the reader's language (English unless told).
 */
const TITLE_WIDTH = 48;
const MAX_ROWS = 20;

export function renderSummaryText(s: Summary, options: { title?: string; reader?: Reader } = {}): string {
  const r = options.reader ?? reader();
  const { since, until, timeZone, team } = s.period;
  const values = { title: options.title ?? r.t('report.title'), range: localRange(since, until, timeZone, r.locale) };
  const heading = team ? r.t('report.headingTeam', { ...values, team }) : r.t('report.heading', values);
  if (s.empty) return `${heading}\n\n${emptyLine(s, r)}\n`;
  const blocks = [
    heading,
    incidentsLine(s, r),
    responseTimes(s, r),
    slaTable(s, r),
    teams(s, r),
    open(s, r),
    noisiest(s, r),
    flapping(s, r),
    automation(s, r),
    escalations(s, r),
    pages(s, r),
    info(s, r),
    daily(s, r),
  ];
  return `${blocks.filter((b) => b !== '').join('\n\n')}\n`;
}

/** One line for a period with nothing in it. */
export function emptyLine(s: Summary, r: Reader = reader()): string {
  const { since, until, timeZone } = s.period;
  return r.t('report.empty', { since: r.time(since, timeZone), until: r.time(until, timeZone), zone: timeZone });
}

function incidentsLine(s: Summary, r: Reader): string {
  const pri = Object.entries(s.incidents.byPriority)
    .map(([k, n]) => `${k} ${n}`)
    .join(r.t('report.sep'));
  const heartbeats = s.incidents.heartbeats > 0 ? r.t('report.incidents.heartbeats', { count: s.incidents.heartbeats }) : '';
  return r.t('report.incidents', { total: s.incidents.total, severities: severityCounts(r, s.incidents.bySeverity), priorities: pri, resolved: s.incidents.resolved, heartbeats });
}

function responseTimes(s: Summary, r: Reader): string {
  return textTable(
    cols(r, ['', 'median', 'p90', 'incidents']),
    [
      [r.t('report.mtta'), r.duration(s.mtta.median), r.duration(s.mtta.p90), String(s.mtta.count)],
      [r.t('report.mttr'), r.duration(s.mttr.median), r.duration(s.mttr.p90), String(s.mttr.count)],
    ],
    ['left', 'right', 'right', 'right'],
  );
}

export function verdict(c: Compliance, r: Reader = reader()): string {
  return r.t(c.status === 'met' ? 'report.verdict.met' : c.status === 'missed' ? 'report.verdict.missed' : 'report.verdict.noData');
}

function slaTable(s: Summary, r: Reader): string {
  const row = (name: string, c: Compliance) => [name, String(c.met), String(c.missed), String(c.pending), percent(c.rate), percent(c.target), verdict(c, r)];
  return `${r.t('report.sla')}\n${textTable(
    cols(r, ['', 'met', 'missed', 'pending', 'compliance', 'target', 'verdict']),
    [row(r.t('report.sla.ack'), s.sla.ack), row(r.t('report.sla.resolve'), s.sla.resolve)],
    ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
  )}`;
}

function teams(s: Summary, r: Reader): string {
  if (s.teams.length === 0) return '';
  const { header, rows } = teamTable(s, r);
  return `${r.t('report.byTeam')}\n${textTable(header, rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'])}`;
}

/**
 * A heading, the first MAX_ROWS items of a list as a table, and how many more there are (the summary's
 * lists hold the first few of a total).
 */
function list<T>(r: Reader, heading: string, items: readonly T[], total: number, table: (shown: readonly T[]) => string): string {
  const shown = items.slice(0, MAX_ROWS);
  const lines = [heading];
  if (shown.length > 0) lines.push(table(shown));
  if (total > shown.length) lines.push(r.t('report.more', { count: total - shown.length }));
  return lines.join('\n');
}

function open(s: Summary, r: Reader): string {
  if (s.openTotal === 0) return r.t('report.open.none');
  return list(r, r.t('report.open', { count: s.openTotal }), s.open, s.openTotal, (shown) =>
    textTable(
      cols(r, ['id', 'priority', 'status', 'age', 'team', 'title']),
      shown.map((i) => [`#${i.id}`, `${i.priority} ${r.t(`term.severity.${i.severity}`)}`, r.t(`term.status.${i.status}`), r.duration(i.ageMs), i.team ?? '—', clip(i.title, TITLE_WIDTH)]),
      ['right', 'left', 'left', 'right', 'left', 'left'],
    ),
  );
}

function noisiest(s: Summary, r: Reader): string {
  if (s.noisiestAlerts.length === 0) return '';
  return `${r.t('report.noisiest')}\n${textTable(
    cols(r, ['alert', 'incidents', 'alerts', 'deliveries']),
    s.noisiestAlerts.map((a) => [clip(a.alertname, TITLE_WIDTH), String(a.incidents), String(a.alerts), String(a.receives)]),
    ['left', 'right', 'right', 'right'],
  )}`;
}

function flapping(s: Summary, r: Reader): string {
  if (s.flappingTotal === 0) return r.t('report.flapping.none');
  return list(r, r.t('report.flapping', { count: s.flappingTotal }), s.flapping, s.flappingTotal, (shown) =>
    textTable(
      cols(r, ['id', 'reopened', 'alerts', 'title']),
      shown.map((f) => [`#${f.id}`, String(f.reopens), clip(f.alertnames.join(', '), 30), clip(f.title, TITLE_WIDTH)]),
      ['right', 'right', 'left', 'left'],
    ),
  );
}

function automation(s: Summary, r: Reader): string {
  const rb = s.runbooks;
  const o = rb.outcomes;
  const lines = [
    rb.runs === 0
      ? r.t('report.runbooks.none')
      : r.t('report.runbooks', { runs: rb.runs, rate: percent(rb.successRate), succeeded: o.succeeded, failed: o.failed, escalated: o.escalate, dryRuns: o.dry_run, refused: o.refused }),
  ];
  if (rb.byRunbook.length > 1) {
    lines.push(
      textTable(
        cols(r, ['runbook', 'runs', 'succeeded', 'failed', 'escalated', 'success']),
        rb.byRunbook.map((b) => [b.runbook, String(b.runs), String(b.outcomes.succeeded), String(b.outcomes.failed), String(b.outcomes.escalate), percent(b.successRate)]),
        ['left', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
  }
  const healed = s.selfHealed.slice(0, MAX_ROWS).map((h) => (h.runbook ? r.t('report.healedBy', { id: h.id, runbook: h.runbook }) : `#${h.id}`));
  if (s.selfHealedTotal > healed.length) healed.push(r.t('report.andMore', { count: s.selfHealedTotal - healed.length }));
  lines.push(s.selfHealedTotal === 0 ? r.t('report.selfHealed.none') : r.t('report.selfHealed', { count: s.selfHealedTotal, list: healed.join(r.t('report.sep')) }));
  return lines.join('\n');
}

/** Whether an escalated incident was answered: by whom, or not even after every tier. */
export function answered(i: Summary['escalations']['incidents'][number], r: Reader, unansweredAll: 'report.unansweredAll' | 'digest.unansweredAll'): string {
  if (i.answeredAt !== null) return r.t('report.answeredBy', { who: i.answeredBy ?? r.t('report.someone') });
  return r.t(i.exhausted ? unansweredAll : 'report.unanswered');
}

function escalations(s: Summary, r: Reader): string {
  const e = s.escalations;
  if (e.incidentsTotal === 0) return r.t('report.escalations.none');
  return list(r, r.t('report.escalations', { count: e.escalations, exhausted: e.exhausted }), e.incidents, e.incidentsTotal, (shown) =>
    textTable(
      cols(r, ['id', 'tier', 'answered', 'title']),
      shown.map((i) => [`#${i.id}`, String(i.maxTier), answered(i, r, 'report.unansweredAll'), clip(i.title, TITLE_WIDTH)]),
      ['right', 'right', 'left', 'left'],
    ),
  );
}

function pages(s: Summary, r: Reader): string {
  const p = s.pages;
  const shared = p.unattributed ? r.t('report.pages.shared', { count: p.unattributed }) : '';
  const head = r.t('report.pages', { total: p.total, night: p.night, start: p.nightHours.start, end: p.nightHours.end, shared });
  if (p.byPerson.length === 0) return head;
  return `${head}\n${textTable(
    cols(r, ['person', 'pages', 'atNight', 'share', 'notReached']),
    p.byPerson.map((x) => [`${x.name} (${x.person})`, String(x.pages), String(x.nightPages), percent(x.share), String(x.failed)]),
    ['left', 'right', 'right', 'right', 'right'],
  )}`;
}

function info(s: Summary, r: Reader): string {
  if (s.infoTotal === 0) return '';
  return list(r, r.t('report.info', { count: s.infoTotal }), s.info, s.infoTotal, (shown) =>
    textTable(
      cols(r, ['id', 'opened', 'status', 'title']),
      shown.map((i) => [`#${i.id}`, r.time(i.createdAt, s.period.timeZone), r.t(`term.status.${i.status}`), clip(i.title, TITLE_WIDTH)]),
      ['right', 'left', 'left', 'left'],
    ),
  );
}

function daily(s: Summary, r: Reader): string {
  if (s.daily.length < 2) return '';
  return `${r.t('report.daily')}\n${textTable(
    [...cols(r, ['day', 'total']), ...severities.map((k) => r.t(`term.severity.${k}`)), ...cols(r, ['mtta', 'mttr'])],
    s.daily.map((d) => [d.date, String(d.total), ...severities.map((k) => String(d.bySeverity[k])), r.duration(d.mtta), r.duration(d.mttr)]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  )}`;
}
