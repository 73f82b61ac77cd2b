/**
 * Escaping for text that came from senders (alert labels, annotations, titles) or people (notes) and is
 * placed into Markdown Vigil writes. The goal is that it reads as the text it was, never as structure:
 * no injected headings, links, images, tables, HTML or emphasis.
 */

/** Characters that can start or end inline structure anywhere in a line (GitHub-flavoured Markdown). */
const inlineSpecial = /[\\`*_[\]<>|~&]/g;
/** Markers that only mean something at the start of a line: headings, quotes, lists, setext underlines. */
const lineStart = /^(\s*)([#>+=-]|\d+(?=[.)]))/;

function escapeLine(line: string, atLineStart = true): string {
  const escaped = line.replace(inlineSpecial, '\\$&');
  if (!atLineStart) return escaped;
  const m = lineStart.exec(escaped);
  if (!m) return escaped;
  // "1. text" keeps its digits and escapes the dot; "# x" escapes the hash.
  const [, indent = '', marker = ''] = m;
  if (/^\d+$/.test(marker)) return `${indent}${marker}\\${escaped.slice(indent.length + marker.length)}`;
  return `${indent}\\${escaped.slice(indent.length)}`;
}

/** One line of text for a sentence or list item: newlines become spaces, long text is cut. */
export function mdInline(text: string, max = 500): string {
  return escapeLine(oneLine(text, max));
}

/** A table cell: like mdInline, but a cell cannot start a heading or a list, so "#12" stays as it is. */
export function mdCell(text: string, max = 500): string {
  return escapeLine(oneLine(text, max), false);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Multi-line text as a block quote, each line escaped. */
export function mdQuote(text: string, max = 4000): string {
  const cut = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return cut
    .split(/\r?\n|\r/)
    .map((line) => (line.trim() === '' ? '>' : `> ${escapeLine(line)}`))
    .join('\n');
}

/** A GitHub-flavoured table; cells are escaped here. */
export function mdTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => mdCell(c) || ' ').join(' | ')} |`;
  return [line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}
