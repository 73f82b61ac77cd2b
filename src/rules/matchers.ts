/**
 * Label matchers with Alertmanager's syntax and semantics:
 *
 *   severity="critical"   team!=""   instance=~"web-.*"   env!~"dev|test"
 *
 * Lists are comma-separated, optionally wrapped in braces: `{a="b", c=~"d"}`. Values may be quoted
 * (double quotes; escapes `\"`, `\\` and `\n`) or, when simple, unquoted; an unquoted value runs
 * until `,` or `}` and is trimmed. A backslash before any other character is kept literally, as in
 * Alertmanager. A label that is absent matches as the empty string.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export interface CompiledMatcher extends Matcher {
  /** Alertmanager semantics: a missing label is the empty string. */
  matches(value: string | undefined): boolean;
}

export class MatcherError extends Error {
  override name = 'MatcherError';
}

/** Label names, plus `annotations.<name>` for matching an alert's annotations. */
const NAME = /^(?:annotations\.)?[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Two-character operators first, so `=~` is not read as `=` followed by a value starting with `~`. */
const OPS: readonly MatchOp[] = ['=~', '!~', '!=', '='];
const EXPECTED_OP = 'expected one of =, !=, =~, !~';

const quote = (s: string): string => JSON.stringify(s);
const isSpace = (c: string | undefined): boolean => c !== undefined && /\s/.test(c);

/** Undoes OpenMetrics escaping (`\"`, `\\`, `\n`); any other backslash is literal. */
function unescape(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const next = raw[i + 1];
    if (c === '\\' && next !== undefined) {
      i++;
      out += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : c + next;
    } else {
      out += c;
    }
  }
  return out;
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** A cursor over matcher text; one instance parses a single matcher or a whole list. */
class Parser {
  pos = 0;
  private start = 0;

  constructor(readonly text: string) {}

  peek(): string | undefined {
    return this.text[this.pos];
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  skipSpace(): void {
    while (isSpace(this.peek())) this.pos++;
  }

  /** The current matcher's text, from its start to the next `,` or `}` outside quotes. */
  current(): string {
    let inQuotes = false;
    let i = this.start;
    for (; i < this.text.length; i++) {
      const c = this.text[i];
      if (inQuotes) {
        if (c === '\\') i++;
        else if (c === '"') inQuotes = false;
      } else if (c === '"') inQuotes = true;
      else if (c === ',' || c === '}') break;
    }
    return this.text.slice(this.start, i).trim();
  }

  fail(problem: string): MatcherError {
    return new MatcherError(`invalid matcher ${quote(this.current())}: ${problem}`);
  }

  /** Reads one matcher and any whitespace after it; stops before a `,`, a `}` or the end. */
  matcher(): Matcher {
    this.skipSpace();
    this.start = this.pos;

    // Stop at anything operator-like so `severity<>x` reports the operator, not the name.
    while (!this.atEnd() && !/[\s=!~<>,{}]/.test(this.peek()!)) this.pos++;
    const name = this.text.slice(this.start, this.pos);
    if (name === '') throw this.fail('missing label name');
    if (!NAME.test(name)) {
      throw this.fail(`invalid label name ${quote(name)} (expected [a-zA-Z_][a-zA-Z0-9_]*, optionally prefixed with "annotations.")`);
    }

    this.skipSpace();
    const op = OPS.find((o) => this.text.startsWith(o, this.pos));
    if (op === undefined) throw this.fail(EXPECTED_OP);
    this.pos += op.length;
    this.skipSpace();

    const value = this.peek() === '"' ? this.quotedValue() : this.unquotedValue();
    this.skipSpace();
    const next = this.peek();
    if (next !== undefined && next !== ',' && next !== '}') {
      throw this.fail(`unexpected ${quote(this.text.slice(this.pos).split(/[,}]/)[0]!.trim())} after the value`);
    }

    const m: Matcher = { name, op, value };
    if (op === '=~' || op === '!~') compileRegex(m);
    return m;
  }

  private quotedValue(): string {
    const open = this.pos++;
    for (; !this.atEnd(); this.pos++) {
      const c = this.peek();
      if (c === '\\') this.pos++;
      else if (c === '"') return unescape(this.text.slice(open + 1, this.pos++));
    }
    throw new MatcherError(`unterminated quoted value in matcher ${quote(this.text.slice(this.start).trim())}`);
  }

  private unquotedValue(): string {
    const from = this.pos;
    while (!this.atEnd() && this.peek() !== ',' && this.peek() !== '}') this.pos++;
    const raw = this.text.slice(from, this.pos).trim();
    if (raw.includes('"')) throw this.fail(`unexpected '"' in unquoted value ${quote(raw)}; quote the whole value`);
    return unescape(raw);
  }
}

/** One matcher: `name="value"`, `name=~"re.*"`, `name!=value`, `name!~"a|b"` (quotes optional for simple values, as in Alertmanager). */
export function parseMatcher(text: string): Matcher {
  const p = new Parser(text);
  const m = p.matcher();
  const next = p.peek();
  if (next !== undefined) throw p.fail(`unexpected '${next}' after the value; quote values that contain ',' or '}'`);
  return m;
}

/** A list: `{a="b", c=~"d"}` or `a="b", c=~"d"` (braces optional, trailing comma allowed, whitespace ignored). Empty list → []. */
export function parseMatchers(text: string): Matcher[] {
  const listError = (problem: string) => new MatcherError(`invalid matchers ${quote(text.trim())}: ${problem}`);
  const p = new Parser(text);
  const out: Matcher[] = [];
  p.skipSpace();
  const braced = p.eat('{');
  for (;;) {
    p.skipSpace();
    if (p.atEnd() || p.peek() === '}') break;
    if (p.peek() === ',') throw listError("empty matcher before ','");
    out.push(p.matcher());
    if (!p.eat(',')) break;
  }
  if (p.eat('}')) {
    if (!braced) throw listError("unexpected '}' without an opening '{'");
    p.skipSpace();
    if (!p.atEnd()) throw listError(`unexpected ${quote(text.slice(p.pos).trim())} after the closing '}'`);
  } else if (braced) {
    throw listError("missing closing '}'");
  }
  return out;
}

/**
 * Regexes are fully anchored like Alertmanager's. The syntax is JavaScript's, not Go's RE2; the
 * two agree on the common subset (classes, alternation, repetition, groups), but RE2-only forms
 * such as inline flags `(?i)` are rejected.
 */
function compileRegex(m: Matcher): RegExp {
  try {
    return new RegExp('^(?:' + m.value + ')$');
  } catch (err) {
    throw new MatcherError(`invalid regex in matcher ${formatMatcher(m)}: ${(err as Error).message}`);
  }
}

/** Compiles once; regexes are fully anchored like Alertmanager (^(?:re)$). Invalid regex → MatcherError naming the matcher. */
export function compileMatcher(m: Matcher): CompiledMatcher {
  const { name, op, value } = m;
  if (!NAME.test(name)) throw new MatcherError(`invalid label name ${quote(name)} in matcher ${formatMatcher(m)}`);
  let test: (v: string) => boolean;
  switch (op) {
    case '=':
      test = (v) => v === value;
      break;
    case '!=':
      test = (v) => v !== value;
      break;
    case '=~':
    case '!~': {
      const re = compileRegex(m);
      test = op === '=~' ? (v) => re.test(v) : (v) => !re.test(v);
      break;
    }
    default:
      throw new MatcherError(`invalid operator ${quote(String(op))} in matcher ${formatMatcher(m)}: ${EXPECTED_OP}`);
  }
  return { name, op, value, matches: (v) => test(v ?? '') };
}

export function matchesAll(matchers: readonly CompiledMatcher[], get: (name: string) => string | undefined): boolean {
  return matchers.every((m) => m.matches(get(m.name)));
}

/** Back to text, e.g. `severity=~"warning|critical"` (for explanations and the API). */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}"${escape(m.value)}"`;
}
