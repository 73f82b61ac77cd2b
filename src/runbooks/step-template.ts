import type { AlertContext, StepResult } from './types.js';

/**
 * Runbook templates: literal text with {{ reference }} placeholders and nothing else, so a template cannot
 * run code. Where a value lands decides how it is escaped (see escapers below); the value itself is never
 * parsed again, so a label containing "{{" or a quote stays data.
 */

export type Reference =
  | { kind: 'labels' | 'annotations'; name: string }
  | { kind: 'incident'; field: 'id' | 'title' | 'severity' }
  | { kind: 'env'; name: string }
  | { kind: 'steps'; step: string; field: 'ok' | 'status' | 'output' | 'error' | 'code' };

export type TemplatePart = string | Reference;

export interface Template {
  source: string;
  parts: TemplatePart[];
}

/** A template that cannot be compiled: reported at load time with the file and line. */
export class TemplateError extends Error {}
/** A value that cannot be placed safely: the step fails and says why. */
export class RenderError extends Error {}

const placeholder = /\{\{\s*([^{}]*?)\s*\}\}/g;
const ident = '[a-zA-Z_][a-zA-Z0-9_]*';
export const stepNamePattern = '[a-zA-Z_][a-zA-Z0-9_-]*';
const refPatterns: [RegExp, (m: RegExpExecArray) => Reference][] = [
  [new RegExp(`^(labels|annotations)\\.(${ident})$`), (m) => ({ kind: m[1] as 'labels' | 'annotations', name: m[2]! })],
  [/^incident\.(id|title|severity)$/, (m) => ({ kind: 'incident', field: m[1] as 'id' | 'title' | 'severity' })],
  [new RegExp(`^env\\.(${ident})$`), (m) => ({ kind: 'env', name: m[1]! })],
  [
    new RegExp(`^steps\\.(${stepNamePattern})\\.(ok|status|output|error|code)$`),
    (m) => ({ kind: 'steps', step: m[1]!, field: m[2] as 'ok' | 'status' | 'output' | 'error' | 'code' }),
  ],
];

export function parseReference(text: string): Reference | null {
  for (const [re, make] of refPatterns) {
    const m = re.exec(text);
    if (m) return make(m);
  }
  return null;
}

export function describeReference(ref: Reference): string {
  switch (ref.kind) {
    case 'labels':
    case 'annotations':
    case 'env':
      return `${ref.kind}.${ref.name}`;
    case 'incident':
      return `incident.${ref.field}`;
    case 'steps':
      return `steps.${ref.step}.${ref.field}`;
  }
}

export function compileTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(placeholder)) {
    const ref = parseReference(m[1]!);
    if (!ref) {
      throw new TemplateError(
        `unknown template reference "{{ ${m[1]} }}" (use labels.<name>, annotations.<name>, incident.id|title|severity, env.<NAME> or steps.<step>.ok|status|output|error|code)`,
      );
    }
    if (m.index! > last) parts.push(source.slice(last, m.index));
    parts.push(ref);
    last = m.index! + m[0].length;
  }
  if (last < source.length) parts.push(source.slice(last));
  const leftover = parts.find((p) => typeof p === 'string' && p.includes('{{'));
  if (leftover !== undefined) throw new TemplateError(`unclosed "{{" in template "${source}"`);
  return { source, parts };
}

export const references = (t: Template): Reference[] => t.parts.filter((p): p is Reference => typeof p !== 'string');
export const isLiteral = (t: Template): boolean => t.parts.every((p) => typeof p === 'string');

/** What templates read at render time. */
export interface RenderScope {
  alert: AlertContext;
  env: Record<string, string>;
  steps: ReadonlyMap<string, StepResult>;
}

/** The value a reference stands for, or undefined when the alert does not have it. */
export function lookup(ref: Reference, scope: RenderScope): string | undefined {
  switch (ref.kind) {
    case 'labels':
    case 'annotations':
      return Object.hasOwn(scope.alert[ref.kind], ref.name) ? scope.alert[ref.kind][ref.name] : undefined;
    case 'incident':
      return scope.alert.incident[ref.field];
    case 'env':
      return Object.hasOwn(scope.env, ref.name) ? scope.env[ref.name] : undefined;
    case 'steps': {
      const r = scope.steps.get(ref.step);
      if (!r) return undefined;
      const v = r[ref.field];
      return v === undefined ? undefined : String(v);
    }
  }
}

/** Turns one looked-up value into text safe for where it lands; throws RenderError to refuse it. */
export type Escaper = (value: string, ref: Reference) => string;

/**
 * Renders a template. In 'strict' mode a missing value fails (a request to /services//restart is not what the
 * author meant); in 'lenient' mode (messages, rate-limit keys) it becomes empty.
 */
export function render(t: Template, scope: RenderScope, escape: Escaper, mode: 'strict' | 'lenient' = 'strict'): string {
  let out = '';
  for (const part of t.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = lookup(part, scope);
    if (value === undefined) {
      if (mode === 'strict') throw new RenderError(`${describeReference(part)} is not set`);
      continue;
    }
    out += escape(value, part);
  }
  return out;
}

export const asText: Escaper = (v) => v;

/** Header values: a CR, LF or other control character could start a new header, so it fails the step. */
export const asHeaderValue: Escaper = (v, ref) => {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(v)) {
    throw new RenderError(`${describeReference(ref)} contains a line break or control character and cannot go into a header`);
  }
  return v;
};

/** An argv element or environment value: NUL would end the C string early. */
export const asArgv: Escaper = (v, ref) => {
  if (v.includes('\0')) throw new RenderError(`${describeReference(ref)} contains a NUL byte`);
  return v;
};

export const renderText = (t: Template, scope: RenderScope): string => render(t, scope, asText, 'lenient');
