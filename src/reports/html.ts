/** HTML for email: escaped text and inline styles only (mail clients drop <style>, scripts and most CSS). */

import { escapeHtml } from '../text/html.js';

export const cell = 'padding:4px 8px;border-bottom:1px solid #eee;font-size:13px;vertical-align:top';
export const headCell = 'padding:4px 8px;border-bottom:2px solid #ccc;font-size:12px;color:#555;text-align:left';

/** Text (escaped when rendered), or HTML built and escaped by the caller (a link). */
export type Cell = string | { html: string };

const cellHtml = (c: Cell | undefined) => (c === undefined ? '' : typeof c === 'string' ? escapeHtml(c) : c.html);

/** A data table; `numeric` columns are right-aligned. */
export function htmlTable(headers: readonly string[], rows: readonly (readonly Cell[])[], numeric: readonly number[] = []): string {
  const align = (c: number) => (numeric.includes(c) ? ';text-align:right' : '');
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;margin:4px 0 12px">
<tr>${headers.map((h, c) => `<th style="${headCell}${align(c)}">${escapeHtml(h)}</th>`).join('')}</tr>
${rows.map((r) => `<tr>${headers.map((_, c) => `<td style="${cell}${align(c)}">${cellHtml(r[c])}</td>`).join('')}</tr>`).join('\n')}
</table>`;
}
