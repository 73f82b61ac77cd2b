/**
 * Incident title templates: literal text with {{ labels.name }} and {{ annotations.name }} filled from the
 * alert (missing values become empty). Nothing else is evaluated, so a template cannot run code.
 */
export interface Template {
  source: string;
  render(alert: { labels: Record<string, string>; annotations: Record<string, string> }): string;
}

const placeholder = /\{\{\s*([^}]*?)\s*\}\}/g;
const reference = /^(labels|annotations)\.([a-zA-Z_][a-zA-Z0-9_]*)$/;

export function compileTemplate(source: string): Template {
  const parts: (string | { from: 'labels' | 'annotations'; name: string })[] = [];
  let last = 0;
  for (const m of source.matchAll(placeholder)) {
    const ref = reference.exec(m[1]!);
    if (!ref) throw new Error(`unknown template reference "{{ ${m[1]} }}" (use {{ labels.name }} or {{ annotations.name }})`);
    parts.push(source.slice(last, m.index), { from: ref[1] as 'labels' | 'annotations', name: ref[2]! });
    last = m.index! + m[0].length;
  }
  parts.push(source.slice(last));
  return {
    source,
    render: (alert) =>
      parts
        .map((p) => (typeof p === 'string' ? p : (alert[p.from][p.name] ?? '')))
        .join('')
        .trim(),
  };
}
