import { severities } from '../alerts/severity.js';
import { dayLabel, reader, type Reader } from './format.js';
import { escapeHtml, severityColour } from '../text/html.js';
import type { DayFigures } from './types.js';

/**
 * Bar charts that survive mail clients: no scripts, no images (external ones are blocked, inline SVG is
 * stripped by Gmail and Outlook), only table cells with a width and a background colour, given both as
 * attributes and as inline style for the clients that honour only one of them. Every bar carries its
 * number as text, so the chart still reads where colours are lost.
 */
const BAR_WIDTH = 320;
const BAR_HEIGHT = 14;
/** A bar for one incident must still be visible next to one for fifty. */
const MIN_SEGMENT = 3;

const labelCell = 'padding:2px 8px 2px 0;font-size:12px;color:#555;white-space:nowrap';
const valueCell = 'padding:2px 0 2px 6px;font-size:12px;white-space:nowrap';

function bar(segments: readonly { value: number; colour: string; title: string }[], scale: number): string {
  const cells = segments
    .filter((s) => s.value > 0)
    .map((s) => {
      const w = Math.max(MIN_SEGMENT, Math.round(s.value * scale));
      return `<td width="${w}" height="${BAR_HEIGHT}" bgcolor="${s.colour}" title="${escapeHtml(s.title)}" style="width:${w}px;height:${BAR_HEIGHT}px;background-color:${s.colour};font-size:0;line-height:0">&nbsp;</td>`;
    });
  if (cells.length === 0) return '';
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>${cells.join('')}</tr></table>`;
}

function legend(items: readonly { name: string; colour: string }[]): string {
  return `<p style="margin:4px 0 12px;font-size:12px;color:#555">${items
    .map((i) => `<span style="display:inline-block;width:10px;height:10px;background-color:${i.colour}">&nbsp;</span> ${escapeHtml(i.name)}`)
    .join(' &nbsp; ')}</p>`;
}

/** Incidents created per local day, one horizontal bar per day stacked by severity. */
export function incidentsPerDayChart(days: readonly DayFigures[], r: Reader = reader()): string {
  const max = Math.max(1, ...days.map((d) => d.total));
  const scale = BAR_WIDTH / max;
  const rows = days.map((d) => {
    const segments = severities.map((s) => ({ value: d.bySeverity[s], colour: severityColour[s], title: `${d.bySeverity[s]} ${r.t(`term.severity.${s}`)}` }));
    return `<tr><td style="${labelCell}" title="${escapeHtml(d.date)}">${escapeHtml(dayLabel(d.date, r.locale))}</td><td style="padding:2px 0">${bar(segments, scale)}</td><td style="${valueCell}">${d.total}</td></tr>`;
  });
  return `<table role="presentation" data-chart="incidents-per-day" cellpadding="0" cellspacing="0" border="0">
${rows.join('\n')}
</table>
${legend(severities.map((s) => ({ name: r.t(`term.severity.${s}`), colour: severityColour[s] })))}`;
}

const MTTA_COLOUR = '#1976d2';
const MTTR_COLOUR = '#7b1fa2';

/** Median MTTA and MTTR per local day, each on its own scale (resolving takes far longer than answering). */
export function responseTrendChart(days: readonly DayFigures[], r: Reader = reader()): string {
  const maxA = Math.max(1, ...days.map((d) => d.mtta ?? 0));
  const maxR = Math.max(1, ...days.map((d) => d.mttr ?? 0));
  const half = BAR_WIDTH / 2;
  const rows = days.map(
    (d) =>
      `<tr><td style="${labelCell}" title="${escapeHtml(d.date)}">${escapeHtml(dayLabel(d.date, r.locale))}</td>` +
      `<td style="padding:2px 0;width:${half}px">${bar([{ value: d.mtta ?? 0, colour: MTTA_COLOUR, title: `MTTA ${r.duration(d.mtta)}` }], half / maxA)}</td>` +
      `<td style="${valueCell};padding-right:12px">${r.duration(d.mtta)}</td>` +
      `<td style="padding:2px 0;width:${half}px">${bar([{ value: d.mttr ?? 0, colour: MTTR_COLOUR, title: `MTTR ${r.duration(d.mttr)}` }], half / maxR)}</td>` +
      `<td style="${valueCell}">${r.duration(d.mttr)}</td></tr>`,
  );
  return `<table role="presentation" data-chart="response-trend" cellpadding="0" cellspacing="0" border="0">
<tr><td></td><td colspan="2" style="${labelCell}">MTTA (${escapeHtml(r.t('report.col.median'))})</td><td colspan="2" style="${labelCell}">MTTR (${escapeHtml(r.t('report.col.median'))})</td></tr>
${rows.join('\n')}
</table>
${legend([
  { name: r.t('digest.trend.mtta'), colour: MTTA_COLOUR },
  { name: r.t('digest.trend.mttr'), colour: MTTR_COLOUR },
])}`;
}
