/** Fixed-width text tables for the terminal and the digest's plain-text part. */

export type Align = 'left' | 'right';

/** East Asian wide characters (CJK, Hangul, full-width forms) take two terminal columns. */
const wide = /[\u1100-\u115f\u2e80-\u303e\u3041-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;
const columns = (ch: string) => (wide.test(ch) ? 2 : 1);

/** Width in terminal columns, near enough: one per code point, two for a wide one (Chinese). */
export const width = (s: string) => [...s].reduce((n, ch) => n + columns(ch), 0);

export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (width(flat) <= max) return flat;
  let out = '';
  let used = 0;
  for (const ch of flat) {
    if (used + columns(ch) > max - 1) break;
    out += ch;
    used += columns(ch);
  }
  return `${out}…`;
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
