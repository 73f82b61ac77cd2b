import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from '../../src/console/web/markdown.js';

describe('the review draft’s Markdown, as data', () => {
  it('reads headings, tables, lists with check boxes, quotes and comments as hints', () => {
    const blocks = parseMarkdown(`# Post-incident review: #1 Disk full

_Draft written by Vigil._

| Time (UTC) | Event | What happened |
|---|---|---|
| 16:30 | alert\\_firing | DiskFull{web-1} \\| firing |

- 2026-11-22T16:30:02Z, x:

  > looking

## Root cause

<!-- What failed, and why then? -->

- [ ] _Action — owner — due date_
`);
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'table', 'list', 'quote', 'heading', 'hint', 'list']);
    expect(blocks[0]).toEqual({ kind: 'heading', level: 1, spans: [{ text: 'Post-incident review: #1 Disk full' }] });
    expect(blocks[1]).toEqual({ kind: 'paragraph', spans: [{ text: 'Draft written by Vigil.', em: true }] });
    const table = blocks[2] as Extract<(typeof blocks)[number], { kind: 'table' }>;
    expect(table.header.map((c) => c.map((s) => s.text).join(''))).toEqual(['Time (UTC)', 'Event', 'What happened']);
    expect(table.rows[0]!.map((c) => c.map((s) => s.text).join(''))).toEqual(['16:30', 'alert_firing', 'DiskFull{web-1} | firing']);
    expect(blocks[6]).toEqual({ kind: 'hint', text: 'What failed, and why then?' });
    expect(blocks[7]).toEqual({ kind: 'list', items: [{ checked: false, spans: [{ text: 'Action — owner — due date', em: true }] }] });
  });

  it('keeps HTML as text: there is no HTML in the result, only strings', () => {
    const blocks = parseMarkdown('Label <img src=x onerror=alert(1)> and <script>alert(2)</script>');
    expect(blocks).toEqual([{ kind: 'paragraph', spans: [{ text: 'Label <img src=x onerror=alert(1)> and <script>alert(2)</script>' }] }]);
  });

  it('marks code, strong and emphasis inline, honouring escapes', () => {
    expect(parseInline('run `df -h` **now**, not *later*; snake\\_case stays')).toEqual([
      { text: 'run ' },
      { text: 'df -h', code: true },
      { text: ' ' },
      { text: 'now', strong: true },
      { text: ', not ' },
      { text: 'later', em: true },
      { text: '; snake_case stays' },
    ]);
    expect(parseInline('file_name_here')).toEqual([{ text: 'file_name_here' }]);
  });
});
