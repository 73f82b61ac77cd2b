/** Fixed-width text tables for the terminal and the digest's plain-text part. */

export type Align = 'left' | 'right';

/** Width in terminal columns, near enough: one per code point (titles are cut, not measured exactly). */
const width = (s: string) => [...s].length;

export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return width(flat) <= max ? flat : `${[...flat].slice(0, max - 1).join('')}…`;
}

/** Columns padded to their widest cell, two spaces apart; numbers right-aligned where told. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = headers.map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => {
        const gap = ' '.repeat(widths[c]! - width(cell));
        return align[c] === 'right' ? gap + cell : cell + gap;
      })
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(headers.map((_, c) => r[c] ?? '')))].join('\n');
}
