import type { Span } from './markdown.js';
import { parseMarkdown } from './markdown.js';

function Spans({ spans }: { spans: Span[] }) {
  return (
    <>
      {spans.map((s, k) => {
        if (s.code) return <code key={k}>{s.text}</code>;
        if (s.strong) return <strong key={k}>{s.text}</strong>;
        if (s.em) return <em key={k}>{s.text}</em>;
        return s.text;
      })}
    </>
  );
}

/** Markdown shown as elements built from text: nothing in the source becomes HTML (see markdown.ts). */
export function Markdown({ source }: { source: string }) {
  return (
    <div class="markdown">
      {parseMarkdown(source).map((b, k) => {
        switch (b.kind) {
          case 'heading': {
            // The page's own headings stop at h2; the draft's start below them.
            const level = Math.min(6, b.level + 2);
            const H = `h${level}` as 'h3';
            return (
              <H key={k}>
                <Spans spans={b.spans} />
              </H>
            );
          }
          case 'paragraph':
            return (
              <p key={k}>
                <Spans spans={b.spans} />
              </p>
            );
          case 'hint':
            return (
              <p key={k} class="muted small">
                {b.text}
              </p>
            );
          case 'quote':
            return (
              <blockquote key={k}>
                <Spans spans={b.spans} />
              </blockquote>
            );
          case 'code':
            return <pre key={k}>{b.text}</pre>;
          case 'list':
            return (
              <ul key={k}>
                {b.items.map((item, n) => (
                  <li key={n}>
                    {item.checked === null ? null : <span aria-hidden="true">{item.checked ? '☑ ' : '☐ '}</span>}
                    <Spans spans={item.spans} />
                  </li>
                ))}
              </ul>
            );
          case 'table':
            return (
              <div key={k} class="table-scroll">
                <table>
                  {b.header.some((h) => h.some((s) => s.text.trim() !== '')) ? (
                    <thead>
                      <tr>
                        {b.header.map((h, n) => (
                          <th key={n} scope="col">
                            <Spans spans={h} />
                          </th>
                        ))}
                      </tr>
                    </thead>
                  ) : null}
                  <tbody>
                    {b.rows.map((row, n) => (
                      <tr key={n}>
                        {row.map((cell, m) => (
                          <td key={m}>
                            <Spans spans={cell} />
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
        }
      })}
    </div>
  );
}
