import { stepNamePattern, type RenderScope } from './step-template.js';

/**
 * The `when` language, small on purpose and evaluated without eval:
 *   steps.<name>.ok | status | code | output | error,  labels.<name>,  annotations.<name>
 *   "text" 'text' 200 true false,  == !=,  ! not,  && and,  || or,  ( )
 * A bare reference is true when it is true, a non-empty string or a non-zero number.
 */
export type Operand =
  | { kind: 'step'; step: string; field: 'ok' | 'status' | 'code' | 'output' | 'error' }
  | { kind: 'label' | 'annotation'; name: string }
  | { kind: 'literal'; value: string | number | boolean };

export type Condition =
  | { kind: 'or' | 'and'; left: Condition; right: Condition }
  | { kind: 'not'; inner: Condition }
  | { kind: 'compare'; op: '==' | '!='; left: Operand; right: Operand }
  | { kind: 'operand'; operand: Operand };

export class ConditionError extends Error {}

const token = new RegExp(
  [
    String.raw`\s+`,
    String.raw`&&|\|\||==|!=|!|\(|\)`,
    String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`,
    String.raw`-?\d+(?:\.\d+)?`,
    `(?:steps\\.${stepNamePattern}|labels|annotations)(?:\\.[a-zA-Z_][a-zA-Z0-9_]*)+|[a-zA-Z_]+`,
  ]
    .map((p) => `(${p})`)
    .join('|'),
  'y',
);

function tokenize(text: string): string[] {
  const out: string[] = [];
  token.lastIndex = 0;
  while (token.lastIndex < text.length) {
    const at = token.lastIndex;
    const m = token.exec(text);
    if (!m) throw new ConditionError(`unexpected "${text.slice(at, at + 10)}" in condition`);
    if (!m[1]) out.push(m[0]);
  }
  return out;
}

const words: Record<string, string> = { and: '&&', or: '||', not: '!' };

export function parseCondition(text: string): Condition {
  if (text.length > 500) throw new ConditionError('condition longer than 500 characters');
  const tokens = tokenize(text).map((t) => words[t] ?? t);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new ConditionError('condition ends too early');
    return t;
  };

  function operand(): Operand {
    const t = next();
    if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
    if (/^-?\d/.test(t)) return { kind: 'literal', value: Number(t) };
    if (t.startsWith('"') || t.startsWith("'")) return { kind: 'literal', value: t.slice(1, -1).replace(/\\(.)/g, '$1') };
    const step = new RegExp(`^steps\\.(${stepNamePattern})\\.(ok|status|code|output|error)$`).exec(t);
    if (step) return { kind: 'step', step: step[1]!, field: step[2] as 'ok' };
    const label = /^(labels|annotations)\.([a-zA-Z_][a-zA-Z0-9_]*)$/.exec(t);
    if (label) return { kind: label[1] === 'labels' ? 'label' : 'annotation', name: label[2]! };
    throw new ConditionError(`unknown "${t}" in condition (use steps.<name>.ok|status|code|output|error, labels.<name>, annotations.<name>)`);
  }
  function primary(): Condition {
    if (peek() === '(') {
      next();
      const inner = or();
      if (next() !== ')') throw new ConditionError('missing ")" in condition');
      return inner;
    }
    const left = operand();
    if (peek() === '==' || peek() === '!=') {
      const op = next() as '==' | '!=';
      return { kind: 'compare', op, left, right: operand() };
    }
    return { kind: 'operand', operand: left };
  }
  function unary(): Condition {
    if (peek() === '!') {
      next();
      return { kind: 'not', inner: unary() };
    }
    return primary();
  }
  function and(): Condition {
    let left = unary();
    while (peek() === '&&') {
      next();
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  }
  function or(): Condition {
    let left = and();
    while (peek() === '||') {
      next();
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }
  const result = or();
  if (pos < tokens.length) throw new ConditionError(`unexpected "${tokens[pos]}" in condition`);
  return result;
}

/** Steps a condition reads, so the loader can insist they come earlier. */
export function conditionSteps(c: Condition): string[] {
  const fromOperand = (o: Operand) => (o.kind === 'step' ? [o.step] : []);
  switch (c.kind) {
    case 'or':
    case 'and':
      return [...conditionSteps(c.left), ...conditionSteps(c.right)];
    case 'not':
      return conditionSteps(c.inner);
    case 'compare':
      return [...fromOperand(c.left), ...fromOperand(c.right)];
    case 'operand':
      return fromOperand(c.operand);
  }
}

function value(o: Operand, scope: RenderScope): string | number | boolean | undefined {
  switch (o.kind) {
    case 'literal':
      return o.value;
    // Own properties only: `labels.constructor` must not find Object.prototype's.
    case 'label':
      return own(scope.alert.labels, o.name);
    case 'annotation':
      return own(scope.alert.annotations, o.name);
    case 'step':
      return scope.steps.get(o.step)?.[o.field];
  }
}

const own = (m: Record<string, string>, name: string): string | undefined => (Object.hasOwn(m, name) ? m[name] : undefined);

const truthy = (v: string | number | boolean | undefined): boolean => (typeof v === 'string' ? v !== '' : Boolean(v));

export function evaluateCondition(c: Condition, scope: RenderScope): boolean {
  switch (c.kind) {
    case 'or':
      return evaluateCondition(c.left, scope) || evaluateCondition(c.right, scope);
    case 'and':
      return evaluateCondition(c.left, scope) && evaluateCondition(c.right, scope);
    case 'not':
      return !evaluateCondition(c.inner, scope);
    case 'compare': {
      const equal = value(c.left, scope) === value(c.right, scope);
      return c.op === '==' ? equal : !equal;
    }
    case 'operand':
      return truthy(value(c.operand, scope));
  }
}
