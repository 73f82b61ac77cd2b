import { severities } from '../alerts/severity.js';
import { incidentsPerDayChart, responseTrendChart } from './digest-charts.js';
import { cols, dayRange, localRange, percent, reader, teamTable, type Reader } from './format.js';
import { htmlTable } from './html.js';
import { escapeHtml, severityColour } from '../text/html.js';
import { answered, emptyLine, renderSummaryText, verdict } from './render-text.js';
import type { Compliance, Summary } from './types.js';

export { renderDigestChat } from './digest-chat.js';

/**
 * The digest email for managers: the figures that say how the period went, two charts, and the lists
 * behind them. The HTML is built for mail clients (tables and inline styles only); the text part is the
 * same summary as `vigil report` prints.
 */

export interface DigestOptions {
  /** "Daily digest", "Weekly digest". */
  title: string;
  /** Vigil's public URL; incident numbers link to their record when given. */
  baseUrl?: string;
  /** The language and formats of its readers (English unless told). */
  reader?: Reader;
}

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

const MAX_ROWS = 15;

export function renderDigest(s: Summary, options: DigestOptions): RenderedDigest {
  const r = options.reader ?? reader();
  const { since, until, timeZone, team } = s.period;
  const title = team ? r.t('digest.titleTeam', { title: options.title, team }) : options.title;
  const subject = r.t('digest.subject', { title, range: dayRange(since, until, timeZone, r.locale), headline: headline(s, r) });
  const charts = options.baseUrl ? reportsLink(options.baseUrl, s) : null;
  const text = renderSummaryText(s, { title, reader: r }) + (charts && !s.empty ? `\n${r.t('digest.chartsText', { url: charts })}\n` : '');
  const body = s.empty ? `<p style="font-size:14px">${escapeHtml(emptyLine(s, r))}</p>` : sections(s, options.baseUrl, r);
  const html = `<!doctype html>
<html lang="${r.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:16px;background-color:#ffffff;color:#222222;font-family:Arial,Helvetica,sans-serif">
<div style="max-width:680px">
<h1 style="font-size:20px;margin:0 0 4px">${escapeHtml(title)}</h1>
<p style="margin:0 0 16px;color:#555;font-size:13px">${escapeHtml(localRange(since, until, timeZone, r.locale))}${charts && !s.empty ? ` · <a href="${escapeHtml(charts)}">${escapeHtml(r.t('digest.chartsLink'))}</a>` : ''}</p>
${body}
</div>
</body></html>
`;
  return { subject, html, text };
}

/** The subject's gist: how many, and whether the promises held. */
function headline(s: Summary, r: Reader): string {
  if (s.empty) return r.t('digest.headline.none');
  const parts = [r.t('digest.headline.incidents', { count: s.incidents.total }), r.t('digest.headline.open', { count: s.openTotal })];
  const sla = (key: 'digest.headline.ack' | 'digest.headline.resolve', c: Compliance) =>
    c.status !== 'no_data' && parts.push(r.t(key, { rate: percent(c.rate), missed: c.status === 'missed' ? 'yes' : 'no' }));
  sla('digest.headline.ack', s.sla.ack);
  sla('digest.headline.resolve', s.sla.resolve);
  return parts.join(r.t('report.sep'));
}

function h2(text: string): string {
  return `<h2 style="font-size:16px;margin:20px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px">${escapeHtml(text)}</h2>`;
}

function p(html: string): string {
  return `<p style="margin:4px 0 12px;font-size:13px">${html}</p>`;
}

/** The console's page of this period and team (the digest's own figures, as charts). */
function reportsLink(baseUrl: string, s: Summary): string {
  const q = new URLSearchParams({ since: new Date(s.period.since).toISOString(), until: new Date(s.period.until).toISOString() });
  if (s.period.team) q.set('team', s.period.team);
  return `${baseUrl.replace(/\/+$/, '')}/reports?${q.toString()}`;
}

function incidentRef(id: number, baseUrl: string | undefined): { html: string } {
  return { html: baseUrl ? `<a href="${escapeHtml(`${baseUrl.replace(/\/+$/, '')}/incidents/${id}`)}">#${id}</a>` : `#${id}` };
}

function sections(s: Summary, baseUrl: string | undefined, r: Reader): string {
  return [
    figures(s, r),
    s.daily.length > 0 ? h2(r.t('digest.perDay')) + incidentsPerDayChart(s.daily, r) : '',
    s.daily.length > 0 ? h2(r.t('digest.trend')) + responseTrendChart(s.daily, r) : '',
    breakdown(s, r),
    teams(s, r),
    open(s, baseUrl, r),
    noise(s, baseUrl, r),
    automation(s, baseUrl, r),
    escalations(s, baseUrl, r),
    pages(s, r),
    info(s, baseUrl, r),
  ].join('\n');
}

function kpi(label: string, value: string, note: string, colour = '#222222'): string {
  return `<td style="padding:8px 12px;border:1px solid #e0e0e0;vertical-align:top">
<div style="font-size:11px;color:#666;text-transform:uppercase">${escapeHtml(label)}</div>
<div style="font-size:20px;font-weight:bold;color:${colour}">${escapeHtml(value)}</div>
<div style="font-size:11px;color:#666">${escapeHtml(note)}</div></td>`;
}

function slaKpi(label: string, c: Compliance, r: Reader): string {
  const colour = c.status === 'met' ? '#2e7d32' : c.status === 'missed' ? '#c62828' : '#666666';
  return kpi(label, percent(c.rate), r.t('digest.kpi.target', { target: percent(c.target), verdict: verdict(c, r), met: c.met, measured: c.measured }), colour);
}

/** The answer to "how did it go", in five boxes. */
function figures(s: Summary, r: Reader): string {
  return `<table role="presentation" data-section="figures" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%">
<tr>
${kpi(r.t('digest.kpi.incidents'), String(s.incidents.total), r.t('digest.kpi.openNow', { count: s.openTotal }))}
${kpi(r.t('digest.kpi.mtta'), r.duration(s.mtta.median), r.t('digest.kpi.spread', { p90: r.duration(s.mtta.p90) }))}
${kpi(r.t('digest.kpi.mttr'), r.duration(s.mttr.median), r.t('digest.kpi.spread', { p90: r.duration(s.mttr.p90) }))}
${slaKpi(r.t('digest.kpi.ack'), s.sla.ack, r)}
${slaKpi(r.t('digest.kpi.resolve'), s.sla.resolve, r)}
</tr></table>`;
}

function breakdown(s: Summary, r: Reader): string {
  const sev = severities
    .map((k) => `<span style="color:${severityColour[k]};font-weight:bold">${escapeHtml(r.t(`term.severity.${k}`))}</span> ${s.incidents.bySeverity[k]}`)
    .join(' · ');
  const pri = Object.entries(s.incidents.byPriority)
    .map(([k, n]) => `${escapeHtml(k)} ${n}`)
    .join(' · ');
  const slaRows = s.sla.byPriority
    .filter((x) => x.ack.measured + x.ack.pending + x.resolve.measured + x.resolve.pending > 0)
    .map((x) => [x.priority, `${percent(x.ack.rate)} (${x.ack.met}/${x.ack.measured})`, `${percent(x.resolve.rate)} (${x.resolve.met}/${x.resolve.measured})`]);
  const beats = s.incidents.heartbeats > 0 ? ` · ${escapeHtml(r.t('digest.heartbeats', { count: s.incidents.heartbeats }))}` : '';
  return (
    h2(r.t('digest.breakdown')) +
    p(`${sev}<br>${pri} · ${escapeHtml(r.t('digest.resolved', { count: s.incidents.resolved }))}${beats}`) +
    (slaRows.length > 0 ? htmlTable(cols(r, ['priority', 'ackSla', 'resolveSla']), slaRows, [1, 2]) : '')
  );
}

function teams(s: Summary, r: Reader): string {
  if (s.teams.length < 2 && s.period.team) return '';
  const { header, rows } = teamTable(s, r);
  return h2(r.t('report.byTeam')) + htmlTable(header, rows, [1, 2, 3, 4, 5, 6, 7]);
}

/** The first MAX_ROWS items of a list as a table, and how many more there are (the summary's lists hold the first few of a total). */
function list<T>(r: Reader, items: readonly T[], total: number, table: (shown: readonly T[]) => string): string {
  const shown = items.slice(0, MAX_ROWS);
  return (shown.length > 0 ? table(shown) : '') + (total > shown.length ? p(escapeHtml(r.t('digest.more', { count: total - shown.length }))) : '');
}

function open(s: Summary, baseUrl: string | undefined, r: Reader): string {
  if (s.openTotal === 0) return h2(r.t('digest.open')) + p(escapeHtml(r.t('digest.noneOpen')));
  return (
    h2(r.t('digest.openCount', { count: s.openTotal })) +
    list(r, s.open, s.openTotal, (shown) =>
      htmlTable(
        cols(r, ['incident', 'priority', 'status', 'openFor', 'team', 'title']),
        shown.map((i) => [
          incidentRef(i.id, baseUrl),
          `${i.priority} ${r.t(`term.severity.${i.severity}`)}`,
          r.t(`term.status.${i.status}`),
          r.duration(i.ageMs),
          i.team ?? '—',
          i.title,
        ]),
        [3],
      ),
    )
  );
}

function noise(s: Summary, baseUrl: string | undefined, r: Reader): string {
  const parts = [h2(r.t('digest.noise'))];
  parts.push(
    s.noisiestAlerts.length === 0
      ? p(escapeHtml(r.t('digest.noAlerts')))
      : htmlTable(
          cols(r, ['alert', 'incidents', 'alerts', 'deliveries']),
          s.noisiestAlerts.map((a) => [a.alertname, String(a.incidents), String(a.alerts), String(a.receives)]),
          [1, 2, 3],
        ),
  );
  parts.push(
    s.flappingTotal === 0
      ? p(escapeHtml(r.t('digest.noFlapping')))
      : p(escapeHtml(r.t('digest.flapping', { count: s.flappingTotal }))) +
          list(r, s.flapping, s.flappingTotal, (shown) =>
            htmlTable(
              cols(r, ['incident', 'reopened', 'alerts', 'title']),
              shown.map((f) => [incidentRef(f.id, baseUrl), String(f.reopens), f.alertnames.join(', '), f.title]),
              [1],
            ),
          ),
  );
  return parts.join('');
}

function automation(s: Summary, baseUrl: string | undefined, r: Reader): string {
  const rb = s.runbooks;
  const o = rb.outcomes;
  const parts = [h2(r.t('digest.automation'))];
  parts.push(
    p(
      escapeHtml(
        rb.runs === 0
          ? r.t('digest.noRunbook')
          : r.t('digest.runbooks', { runs: rb.runs, rate: percent(rb.successRate), succeeded: o.succeeded, failed: o.failed, escalated: o.escalate, dryRuns: o.dry_run, refused: o.refused }),
      ),
    ),
  );
  if (rb.byRunbook.length > 1) {
    parts.push(
      htmlTable(
        cols(r, ['runbook', 'runs', 'succeeded', 'failed', 'escalated', 'successRate']),
        rb.byRunbook.map((b) => [b.runbook, String(b.runs), String(b.outcomes.succeeded), String(b.outcomes.failed), String(b.outcomes.escalate), percent(b.successRate)]),
        [1, 2, 3, 4, 5],
      ),
    );
  }
  const healed = s.selfHealed
    .slice(0, MAX_ROWS)
    .map((h) => `${incidentRef(h.id, baseUrl).html} ${escapeHtml(h.title)}${h.runbook ? ` <span style="color:#666">(${escapeHtml(h.runbook)})</span>` : ''}`);
  if (s.selfHealedTotal > healed.length) healed.push(escapeHtml(r.t('report.andMore', { count: s.selfHealedTotal - healed.length })));
  parts.push(
    s.selfHealedTotal === 0
      ? p(escapeHtml(r.t('digest.noHealed')))
      : p(escapeHtml(r.t('digest.healed', { count: s.selfHealedTotal, list: '\u0000' })).replace('\u0000', () => healed.join(escapeHtml(r.t('report.sep'))))),
  );
  return parts.join('');
}

function escalations(s: Summary, baseUrl: string | undefined, r: Reader): string {
  const e = s.escalations;
  if (e.incidentsTotal === 0) return h2(r.t('digest.escalations')) + p(escapeHtml(r.t('digest.noEscalations')));
  return (
    h2(r.t('digest.escalations')) +
    p(escapeHtml(r.t('digest.escalationsLine', { count: e.escalations, exhausted: e.exhausted }))) +
    list(r, e.incidents, e.incidentsTotal, (shown) =>
      htmlTable(
        cols(r, ['incident', 'highestTier', 'answered', 'title']),
        shown.map((i) => [incidentRef(i.id, baseUrl), String(i.maxTier), answered(i, r, 'digest.unansweredAll'), i.title]),
        [1],
      ),
    )
  );
}

function pages(s: Summary, r: Reader): string {
  const x = s.pages;
  const shared = x.unattributed ? r.t('digest.pages.shared', { count: x.unattributed }) : '';
  const intro = r.t('digest.pages', { total: x.total, night: x.night, start: x.nightHours.start, end: x.nightHours.end, zone: s.period.timeZone, shared });
  return (
    h2(r.t('digest.load')) +
    p(escapeHtml(intro)) +
    (x.byPerson.length === 0
      ? ''
      : htmlTable(
          cols(r, ['person', 'pages', 'atNight', 'share', 'notReached']),
          x.byPerson.map((b) => [b.name, String(b.pages), String(b.nightPages), percent(b.share), String(b.failed)]),
          [1, 2, 3, 4],
        ))
  );
}

function info(s: Summary, baseUrl: string | undefined, r: Reader): string {
  if (s.infoTotal === 0) return '';
  return (
    h2(r.t('digest.info', { count: s.infoTotal })) +
    list(r, s.info, s.infoTotal, (shown) =>
      htmlTable(
        cols(r, ['incident', 'opened', 'status', 'title']),
        shown.map((i) => [incidentRef(i.id, baseUrl), r.time(i.createdAt, s.period.timeZone), r.t(`term.status.${i.status}`), i.title]),
      ),
    )
  );
}
