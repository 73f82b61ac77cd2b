import { DateTime } from 'luxon';
import { severities } from '../alerts/severity.js';
import { incidentsPerDayChart, responseTrendChart } from './digest-charts.js';
import { humanDuration, localRange, localTime, percent, plural, teamTable } from './format.js';
import { htmlTable } from './html.js';
import { escapeHtml, severityColour } from '../text/html.js';
import { emptyLine, renderSummaryText, verdict } from './render-text.js';
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
}

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

const MAX_ROWS = 15;

export function renderDigest(s: Summary, options: DigestOptions): RenderedDigest {
  const { since, until, timeZone, team } = s.period;
  const title = `${options.title}${team ? ` (${team})` : ''}`;
  const subject = `[Vigil] ${title}, ${shortRange(since, until, timeZone)}: ${headline(s)}`;
  const charts = options.baseUrl ? reportsLink(options.baseUrl, s) : null;
  const text = renderSummaryText(s, { title }) + (charts && !s.empty ? `\nCharts and tables of this period: ${charts}\n` : '');
  const body = s.empty ? `<p style="font-size:14px">${escapeHtml(emptyLine(s))}</p>` : sections(s, options.baseUrl);
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:16px;background-color:#ffffff;color:#222222;font-family:Arial,Helvetica,sans-serif">
<div style="max-width:680px">
<h1 style="font-size:20px;margin:0 0 4px">${escapeHtml(title)}</h1>
<p style="margin:0 0 16px;color:#555;font-size:13px">${escapeHtml(localRange(since, until, timeZone))}${charts && !s.empty ? ` · <a href="${escapeHtml(charts)}">charts in the console</a>` : ''}</p>
${body}
</div>
</body></html>
`;
  return { subject, html, text };
}

/** The subject's gist: how many, and whether the promises held. */
function headline(s: Summary): string {
  if (s.empty) return 'no incidents';
  const parts = [plural(s.incidents.total, 'incident'), `${s.openTotal} open`];
  if (s.sla.ack.status !== 'no_data') parts.push(`ack SLA ${percent(s.sla.ack.rate)}${s.sla.ack.status === 'missed' ? ' (missed)' : ''}`);
  if (s.sla.resolve.status !== 'no_data') parts.push(`resolve SLA ${percent(s.sla.resolve.rate)}${s.sla.resolve.status === 'missed' ? ' (missed)' : ''}`);
  return parts.join(', ');
}

/** "9 Mar – 16 Mar 2026" (dates in the digest's zone; the body has the exact times). */
function shortRange(since: number, until: number, timeZone: string): string {
  const a = DateTime.fromMillis(since, { zone: timeZone }).setLocale('en-GB');
  const b = DateTime.fromMillis(until, { zone: timeZone }).setLocale('en-GB');
  return a.hasSame(b, 'year') ? `${a.toFormat('d LLL')} – ${b.toFormat('d LLL yyyy')}` : `${a.toFormat('d LLL yyyy')} – ${b.toFormat('d LLL yyyy')}`;
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

function sections(s: Summary, baseUrl: string | undefined): string {
  return [
    figures(s),
    s.daily.length > 0 ? h2('Incidents per day') + incidentsPerDayChart(s.daily) : '',
    s.daily.length > 0 ? h2('Response times per day') + responseTrendChart(s.daily) : '',
    breakdown(s),
    teams(s),
    open(s, baseUrl),
    noise(s, baseUrl),
    automation(s, baseUrl),
    escalations(s, baseUrl),
    pages(s),
    info(s, baseUrl),
  ].join('\n');
}

function kpi(label: string, value: string, note: string, colour = '#222222'): string {
  return `<td style="padding:8px 12px;border:1px solid #e0e0e0;vertical-align:top">
<div style="font-size:11px;color:#666;text-transform:uppercase">${escapeHtml(label)}</div>
<div style="font-size:20px;font-weight:bold;color:${colour}">${escapeHtml(value)}</div>
<div style="font-size:11px;color:#666">${escapeHtml(note)}</div></td>`;
}

function slaKpi(label: string, c: Compliance): string {
  const colour = c.status === 'met' ? '#2e7d32' : c.status === 'missed' ? '#c62828' : '#666666';
  return kpi(label, percent(c.rate), `target ${percent(c.target)}: ${verdict(c)} (${c.met}/${c.measured})`, colour);
}

/** The answer to "how did it go", in five boxes. */
function figures(s: Summary): string {
  return `<table role="presentation" data-section="figures" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%">
<tr>
${kpi('Incidents', String(s.incidents.total), `${s.openTotal} open now`)}
${kpi('MTTA', humanDuration(s.mtta.median), `median · p90 ${humanDuration(s.mtta.p90)}`)}
${kpi('MTTR', humanDuration(s.mttr.median), `median · p90 ${humanDuration(s.mttr.p90)}`)}
${slaKpi('Ack SLA', s.sla.ack)}
${slaKpi('Resolve SLA', s.sla.resolve)}
</tr></table>`;
}

function breakdown(s: Summary): string {
  const sev = severities
    .map((k) => `<span style="color:${severityColour[k]};font-weight:bold">${escapeHtml(k)}</span> ${s.incidents.bySeverity[k]}`)
    .join(' · ');
  const pri = Object.entries(s.incidents.byPriority)
    .map(([k, n]) => `${escapeHtml(k)} ${n}`)
    .join(' · ');
  const slaRows = s.sla.byPriority
    .filter((x) => x.ack.measured + x.ack.pending + x.resolve.measured + x.resolve.pending > 0)
    .map((x) => [x.priority, `${percent(x.ack.rate)} (${x.ack.met}/${x.ack.measured})`, `${percent(x.resolve.rate)} (${x.resolve.met}/${x.resolve.measured})`]);
  return (
    h2('By severity and priority') +
    p(`${sev}<br>${pri} · ${s.incidents.resolved} resolved${s.incidents.heartbeats > 0 ? ` · ${s.incidents.heartbeats} from missed or failed heartbeats` : ''}`) +
    (slaRows.length > 0 ? htmlTable(['priority', 'ack SLA', 'resolve SLA'], slaRows, [1, 2]) : '')
  );
}

function teams(s: Summary): string {
  if (s.teams.length < 2 && s.period.team) return '';
  return (
    h2('By team') +
    htmlTable(
      teamTable(s).header,
      teamTable(s).rows,
      [1, 2, 3, 4, 5, 6, 7],
    )
  );
}

/** The first MAX_ROWS items of a list as a table, and how many more there are (the summary's lists hold the first few of a total). */
function list<T>(items: readonly T[], total: number, table: (shown: readonly T[]) => string): string {
  const shown = items.slice(0, MAX_ROWS);
  return (shown.length > 0 ? table(shown) : '') + (total > shown.length ? p(`… and ${total - shown.length} more.`) : '');
}

function open(s: Summary, baseUrl: string | undefined): string {
  if (s.openTotal === 0) return h2('Open incidents') + p('None open.');
  return (
    h2(`Open incidents (${s.openTotal})`) +
    list(s.open, s.openTotal, (shown) =>
      htmlTable(
        ['incident', 'priority', 'status', 'open for', 'team', 'title'],
        shown.map((i) => [incidentRef(i.id, baseUrl), `${i.priority} ${i.severity}`, i.status, humanDuration(i.ageMs), i.team ?? '—', i.title]),
        [3],
      ),
    )
  );
}

function noise(s: Summary, baseUrl: string | undefined): string {
  const parts = [h2('Where the noise comes from')];
  parts.push(
    s.noisiestAlerts.length === 0
      ? p('No alerts.')
      : htmlTable(
          ['alert', 'incidents', 'alerts', 'deliveries'],
          s.noisiestAlerts.map((a) => [a.alertname, String(a.incidents), String(a.alerts), String(a.receives)]),
          [1, 2, 3],
        ),
  );
  parts.push(
    s.flappingTotal === 0
      ? p('No flapping incidents.')
      : p(`Flapping (fired again after resolving): ${s.flappingTotal}`) +
          list(s.flapping, s.flappingTotal, (shown) =>
            htmlTable(
              ['incident', 'reopened', 'alerts', 'title'],
              shown.map((f) => [incidentRef(f.id, baseUrl), String(f.reopens), f.alertnames.join(', '), f.title]),
              [1],
            ),
          ),
  );
  return parts.join('');
}

function automation(s: Summary, baseUrl: string | undefined): string {
  const r = s.runbooks;
  const parts = [h2('Automation')];
  parts.push(
    p(
      r.runs === 0
        ? 'No runbook ran.'
        : escapeHtml(
            `${plural(r.runs, 'runbook run')}, success rate ${percent(r.successRate)}: ${r.outcomes.succeeded} succeeded, ${r.outcomes.failed} failed, ${r.outcomes.escalate} handed to people, ${r.outcomes.dry_run} dry runs, ${r.outcomes.refused} refused.`,
          ),
    ),
  );
  if (r.byRunbook.length > 1) {
    parts.push(
      htmlTable(
        ['runbook', 'runs', 'succeeded', 'failed', 'escalated', 'success rate'],
        r.byRunbook.map((b) => [b.runbook, String(b.runs), String(b.outcomes.succeeded), String(b.outcomes.failed), String(b.outcomes.escalate), percent(b.successRate)]),
        [1, 2, 3, 4, 5],
      ),
    );
  }
  const healed = s.selfHealed
    .slice(0, MAX_ROWS)
    .map((h) => `${incidentRef(h.id, baseUrl).html} ${escapeHtml(h.title)}${h.runbook ? ` <span style="color:#666">(${escapeHtml(h.runbook)})</span>` : ''}`);
  if (s.selfHealedTotal > healed.length) healed.push(`and ${s.selfHealedTotal - healed.length} more`);
  parts.push(s.selfHealedTotal === 0 ? p('No incident healed itself.') : p(`Self-healed without paging anyone (${s.selfHealedTotal}): ${healed.join(', ')}`));
  return parts.join('');
}

function escalations(s: Summary, baseUrl: string | undefined): string {
  const e = s.escalations;
  if (e.incidentsTotal === 0) return h2('Escalations') + p('No escalations.');
  return (
    h2('Escalations') +
    p(escapeHtml(`${plural(e.escalations, 'escalation')}; ${e.exhausted} ran through every tier without an acknowledgement.`)) +
    list(e.incidents, e.incidentsTotal, (shown) =>
      htmlTable(
        ['incident', 'highest tier', 'answered', 'title'],
        shown.map((i) => [
          incidentRef(i.id, baseUrl),
          String(i.maxTier),
          i.answeredAt !== null ? `by ${i.answeredBy ?? 'someone'}` : i.exhausted ? 'no (every tier paged)' : 'no',
          i.title,
        ]),
        [1],
      ),
    )
  );
}

function pages(s: Summary): string {
  const x = s.pages;
  const intro = `${plural(x.total, 'page')} to people, ${x.night} at night (${x.nightHours.start}–${x.nightHours.end} ${s.period.timeZone})${
    x.unattributed ? `; ${x.unattributed} to shared channels` : ''
  }.`;
  return (
    h2('On-call load') +
    p(escapeHtml(intro)) +
    (x.byPerson.length === 0
      ? ''
      : htmlTable(
          ['person', 'pages', 'at night', 'share', 'not reached'],
          x.byPerson.map((b) => [b.name, String(b.pages), String(b.nightPages), percent(b.share), String(b.failed)]),
          [1, 2, 3, 4],
        ))
  );
}

function info(s: Summary, baseUrl: string | undefined): string {
  if (s.infoTotal === 0) return '';
  return (
    h2(`Info (${s.infoTotal}, no page)`) +
    list(s.info, s.infoTotal, (shown) =>
      htmlTable(
        ['incident', 'opened', 'status', 'title'],
        shown.map((i) => [incidentRef(i.id, baseUrl), localTime(i.createdAt, s.period.timeZone), i.status, i.title]),
      ),
    )
  );
}
