import { compileTemplate, render, TemplateError, type RenderScope, type Template } from './step-template.js';

/**
 * A PromQL query with placeholders. Each placeholder must sit inside a quoted string literal (job="{{ labels.job }}")
 * and its value is escaped for that quote, so a label like `"}) or vector(1)` stays one string and cannot
 * change the query.
 */
export interface PromqlTemplate {
  template: Template;
  /** The quote around each placeholder, in order. */
  quotes: ('"' | "'")[];
}

export function compilePromqlTemplate(source: string): PromqlTemplate {
  const template = compileTemplate(source);
  const quotes: ('"' | "'")[] = [];
  // A tiny lexer over the literal text: where strings open and close, and comments (# to end of line).
  let quote: '"' | "'" | '`' | null = null;
  let comment = false;
  for (const part of template.parts) {
    if (typeof part !== 'string') {
      if (quote === '"' || quote === "'") {
        quotes.push(quote);
        continue;
      }
      throw new TemplateError(
        quote === '`'
          ? 'a template in a PromQL query cannot be inside a `raw string`; use "double quotes"'
          : 'a template in a PromQL query must be inside a quoted string, e.g. job="{{ labels.job }}"',
      );
    }
    for (let i = 0; i < part.length; i++) {
      const c = part[i]!;
      if (comment) {
        if (c === '\n') comment = false;
      } else if (quote === null) {
        if (c === '"' || c === "'" || c === '`') quote = c;
        else if (c === '#') comment = true;
      } else if (c === '\\' && quote !== '`') {
        i++;
      } else if (c === quote) {
        quote = null;
      }
    }
  }
  if (quote !== null) throw new TemplateError(`unterminated ${quote} string in PromQL query`);
  return { template, quotes };
}

/** Escapes a value for a PromQL string literal opened with `quote`: backslash, that quote, control characters. */
export function escapePromqlString(value: string, quote: '"' | "'"): string {
  let out = '';
  for (const c of value) {
    const code = c.codePointAt(0)!;
    if (c === '\\' || c === quote) out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += c;
  }
  return out;
}

export function renderPromql(q: PromqlTemplate, scope: RenderScope): string {
  let index = 0;
  return render(q.template, scope, (value) => escapePromqlString(value, q.quotes[index++]!));
}
