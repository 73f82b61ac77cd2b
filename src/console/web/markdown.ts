/**
 * The small part of Markdown the review drafts use (src/reports/review.ts): headings, paragraphs, lists with
 * check boxes, block quotes, tables, and inline emphasis and code. It yields plain data that the page shows as
 * text: nothing in a draft (which quotes alert data) can become HTML. Comments (`<!-- … -->`) are hints for
 * whoever edits the draft; they are kept as hints.
 */

export interface Span {
  text: string;
  strong?: boolean;
  em?: boolean;
  code?: boolean;
}

export type Block =
  | { kind: 'heading'; level: number; spans: Span[] }
  | { kind: 'paragraph'; spans: Span[] }
  | { kind: 'hint'; text: string }
  | { kind: 'list'; items: { checked: boolean | null; spans: Span[] }[] }
  | { kind: 'quote'; spans: Span[] }
  | { kind: 'table'; header: Span[][]; rows: Span[][][] }
  | { kind: 'code'; text: string };

const unescape = (s: string) => s.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1');

/** Inline marks: `code`, **strong**, _em_ / *em*; backslash escapes are honoured. */
export function parseInline(text: string): Span[] {
  const spans: Span[] = [];
  const pattern = /`([^`]+)`|\*\*((?:\\.|[^*])+)\*\*|(?<![\w\\])_((?:\\.|[^_])+)_(?!\w)|(?<![\w\\*])\*((?:\\.|[^*])+)\*(?!\w)/g;
  let at = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > at) spans.push({ text: unescape(text.slice(at, m.index)) });
    if (m[1] !== undefined) spans.push({ text: m[1], code: true });
    else if (m[2] !== undefined) spans.push({ text: unescape(m[2]), strong: true });
    else spans.push({ text: unescape((m[3] ?? m[4])!), em: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) spans.push({ text: unescape(text.slice(at)) });
  return spans;
}

/** A table row's cells; `\|` is a pipe inside a cell. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

const isTableLine = (l: string) => /^\s*\|.*\|\s*$/.test(l);
const isDivider = (l: string) => /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(l);

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]!.length, spans: parseInline(heading[2]!.trim()) });
      i++;
      continue;
    }
    if (line.trimStart().startsWith('<!--')) {
      const text: string[] = [];
      while (i < lines.length) {
        const l = lines[i++]!;
        text.push(l);
        if (l.includes('-->')) break;
      }
      const hint = text.join(' ').replace(/^\s*<!--/, '').replace(/-->\s*$/, '').trim();
      if (hint) blocks.push({ kind: 'hint', text: hint });
      continue;
    }
    if (line.startsWith('```')) {
      const text: string[] = [];
      i++;
      while (i < lines.length && !lines[i]!.startsWith('```')) text.push(lines[i++]!);
      i++;
      blocks.push({ kind: 'code', text: text.join('\n') });
      continue;
    }
    if (isTableLine(line) && i + 1 < lines.length && isDivider(lines[i + 1]!)) {
      const header = cells(line).map(parseInline);
      i += 2;
      const rows: Span[][][] = [];
      while (i < lines.length && isTableLine(lines[i]!)) rows.push(cells(lines[i++]!).map(parseInline));
      blocks.push({ kind: 'table', header, rows });
      continue;
    }
    if (/^\s*[-*]\s+/.test(line)) {
      const items: { checked: boolean | null; spans: Span[] }[] = [];
      while (i < lines.length && (/^\s*[-*]\s+/.test(lines[i]!) || (items.length > 0 && /^\s{2,}\S/.test(lines[i]!) && !/^\s*>/.test(lines[i]!)))) {
        const l = lines[i++]!;
        const item = /^\s*[-*]\s+(?:\[([ xX])\]\s+)?(.*)$/.exec(l);
        if (item) items.push({ checked: item[1] === undefined ? null : item[1] !== ' ', spans: parseInline(item[2]!) });
        else items[items.length - 1]!.spans.push({ text: ' ' }, ...parseInline(l.trim()));
      }
      blocks.push({ kind: 'list', items });
      continue;
    }
    if (/^\s*>/.test(line)) {
      const text: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) text.push(lines[i++]!.replace(/^\s*>\s?/, ''));
      blocks.push({ kind: 'quote', spans: parseInline(text.join(' ')) });
      continue;
    }
    const text: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !/^(#{1,6}\s|```|\s*[-*]\s+|\s*>|\s*<!--)/.test(lines[i]!) && !isTableLine(lines[i]!)) text.push(lines[i++]!.trim());
    if (text.length === 0) text.push(lines[i++]!.trim());
    blocks.push({ kind: 'paragraph', spans: parseInline(text.join(' ')) });
  }
  return blocks;
}
