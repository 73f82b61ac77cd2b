import { severities } from '../alerts/severity.js';
import { humanDuration, localRange, localTime, percent, plural, teamTable } from './format.js';
import { clip, textTable } from './text-table.js';
import type { Compliance, Summary } from './types.js';

/**
 * The summary as plain text: `vigil report` prints it, and it is the digest email's text part, so a
 * reader without HTML sees the same figures.
 */
const TITLE_WIDTH = 48;
const MAX_ROWS = 20;

export function renderSummaryText(s: Summary, options: { title?: string } = {}): string {
  const { since, until, timeZone, team } = s.period;
  const heading = `${options.title ?? 'Vigil report'}: ${localRange(since, until, timeZone)}${team ? `, team ${team}` : ''}`;
  if (s.empty) return `${heading}\n\n${emptyLine(s)}\n`;
  const blocks = [
    heading,
    incidentsLine(s),
    responseTimes(s),
    slaTable(s),
    teams(s),
    open(s),
    noisiest(s),
    flapping(s),
    automation(s),
    escalations(s),
    pages(s),
    info(s),
    daily(s),
  ];
  return `${blocks.filter((b) => b !== '').join('\n\n')}\n`;
}

/** One line for a period with nothing in it. */
export function emptyLine(s: Summary): string {
  const { since, until, timeZone } = s.period;
  return `No incidents between ${localTime(since, timeZone)} and ${localTime(until, timeZone)} (${timeZone}).`;
}

function incidentsLine(s: Summary): string {
  const sev = severities.map((k) => `${k} ${s.incidents.bySeverity[k]}`).join(', ');
  const pri = Object.entries(s.incidents.byPriority)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const beats = s.incidents.heartbeats > 0 ? `, ${s.incidents.heartbeats} from missed or failed heartbeats` : '';
  return `Incidents: ${s.incidents.total} (${sev}; ${pri}), ${s.incidents.resolved} resolved${beats}`;
}

function responseTimes(s: Summary): string {
  return textTable(
    ['', 'median', 'p90', 'incidents'],
    [
      ['Time to acknowledge (MTTA)', humanDuration(s.mtta.median), humanDuration(s.mtta.p90), String(s.mtta.count)],
      ['Time to resolve (MTTR)', humanDuration(s.mttr.median), humanDuration(s.mttr.p90), String(s.mttr.count)],
    ],
    ['left', 'right', 'right', 'right'],
  );
}

export function verdict(c: Compliance): string {
  return c.status === 'met' ? 'met' : c.status === 'missed' ? 'MISSED' : 'no data';
}

function slaTable(s: Summary): string {
  const row = (name: string, c: Compliance) => [name, String(c.met), String(c.missed), String(c.pending), percent(c.rate), percent(c.target), verdict(c)];
  return `SLA compliance\n${textTable(
    ['', 'met', 'missed', 'pending', 'compliance', 'target', 'verdict'],
    [row('Acknowledge', s.sla.ack), row('Resolve', s.sla.resolve)],
    ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
  )}`;
}

function teams(s: Summary): string {
  if (s.teams.length === 0) return '';
  const { header, rows } = teamTable(s);
  return `By team\n${textTable(
    header,
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  )}`;
}

/**
 * A heading, the first MAX_ROWS items of a list as a table, and how many more there are (the summary's
 * lists hold the first few of a total).
 */
function list<T>(heading: string, items: readonly T[], total: number, table: (shown: readonly T[]) => string): string {
  const shown = items.slice(0, MAX_ROWS);
  const lines = [heading];
  if (shown.length > 0) lines.push(table(shown));
  if (total > shown.length) lines.push(`… and ${total - shown.length} more`);
  return lines.join('\n');
}

function open(s: Summary): string {
  if (s.openTotal === 0) return 'Open incidents: none';
  return list(`Open incidents (${s.openTotal})`, s.open, s.openTotal, (shown) =>
    textTable(
      ['id', 'priority', 'status', 'age', 'team', 'title'],
      shown.map((i) => [`#${i.id}`, `${i.priority} ${i.severity}`, i.status, humanDuration(i.ageMs), i.team ?? '—', clip(i.title, TITLE_WIDTH)]),
      ['right', 'left', 'left', 'right', 'left', 'left'],
    ),
  );
}

function noisiest(s: Summary): string {
  if (s.noisiestAlerts.length === 0) return '';
  return `Noisiest alerts\n${textTable(
    ['alert', 'incidents', 'alerts', 'deliveries'],
    s.noisiestAlerts.map((a) => [clip(a.alertname, TITLE_WIDTH), String(a.incidents), String(a.alerts), String(a.receives)]),
    ['left', 'right', 'right', 'right'],
  )}`;
}

function flapping(s: Summary): string {
  if (s.flappingTotal === 0) return 'Flapping: none';
  return list(`Flapping (${s.flappingTotal}, fired again after resolving)`, s.flapping, s.flappingTotal, (shown) =>
    textTable(
      ['id', 'reopened', 'alerts', 'title'],
      shown.map((f) => [`#${f.id}`, String(f.reopens), clip(f.alertnames.join(', '), 30), clip(f.title, TITLE_WIDTH)]),
      ['right', 'right', 'left', 'left'],
    ),
  );
}

function automation(s: Summary): string {
  const r = s.runbooks;
  const lines = [
    r.runs === 0
      ? 'Runbooks: none ran'
      : `Runbooks: ${plural(r.runs, 'run')}, success rate ${percent(r.successRate)} (succeeded ${r.outcomes.succeeded}, failed ${r.outcomes.failed}, escalated ${r.outcomes.escalate}, dry runs ${r.outcomes.dry_run}, refused ${r.outcomes.refused})`,
  ];
  if (r.byRunbook.length > 1) {
    lines.push(
      textTable(
        ['runbook', 'runs', 'succeeded', 'failed', 'escalated', 'success'],
        r.byRunbook.map((b) => [b.runbook, String(b.runs), String(b.outcomes.succeeded), String(b.outcomes.failed), String(b.outcomes.escalate), percent(b.successRate)]),
        ['left', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
  }
  const healed = s.selfHealed.slice(0, MAX_ROWS).map((h) => `#${h.id}${h.runbook ? ` by ${h.runbook}` : ''}`);
  if (s.selfHealedTotal > healed.length) healed.push(`and ${s.selfHealedTotal - healed.length} more`);
  lines.push(s.selfHealedTotal === 0 ? 'Self-healed: none' : `Self-healed (${s.selfHealedTotal}): ${healed.join(', ')}`);
  return lines.join('\n');
}

function escalations(s: Summary): string {
  const e = s.escalations;
  if (e.incidentsTotal === 0) return 'Escalations: none';
  return list(`Escalations: ${e.escalations}, ${e.exhausted} ran out of tiers`, e.incidents, e.incidentsTotal, (shown) =>
    textTable(
      ['id', 'tier', 'answered', 'title'],
      shown.map((i) => [
        `#${i.id}`,
        String(i.maxTier),
        i.answeredAt !== null ? `by ${i.answeredBy ?? 'someone'}` : i.exhausted ? 'NO (every tier paged)' : 'no',
        clip(i.title, TITLE_WIDTH),
      ]),
      ['right', 'right', 'left', 'left'],
    ),
  );
}

function pages(s: Summary): string {
  const p = s.pages;
  const head = `Pages: ${p.total} to people, ${p.night} at night (${p.nightHours.start}–${p.nightHours.end})${p.unattributed ? `, ${p.unattributed} to shared channels` : ''}`;
  if (p.byPerson.length === 0) return head;
  return `${head}\n${textTable(
    ['person', 'pages', 'at night', 'share', 'not reached'],
    p.byPerson.map((x) => [`${x.name} (${x.person})`, String(x.pages), String(x.nightPages), percent(x.share), String(x.failed)]),
    ['left', 'right', 'right', 'right', 'right'],
  )}`;
}

function info(s: Summary): string {
  if (s.infoTotal === 0) return '';
  return list(`Info (${s.infoTotal}, no page)`, s.info, s.infoTotal, (shown) =>
    textTable(
      ['id', 'opened', 'status', 'title'],
      shown.map((i) => [`#${i.id}`, localTime(i.createdAt, s.period.timeZone), i.status, clip(i.title, TITLE_WIDTH)]),
      ['right', 'left', 'left', 'left'],
    ),
  );
}

function daily(s: Summary): string {
  if (s.daily.length < 2) return '';
  return `Per day\n${textTable(
    ['day', 'total', ...severities, 'MTTA', 'MTTR'],
    s.daily.map((d) => [d.date, String(d.total), ...severities.map((k) => String(d.bySeverity[k])), humanDuration(d.mtta), humanDuration(d.mttr)]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  )}`;
}
