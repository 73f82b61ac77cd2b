import '../errors/zod-messages.js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';

/** A configuration problem, already phrased for the operator: file, line, field, what is wrong. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** One problem of a ConfigError taken apart, for machines (the API's invalid_config details). */
export interface ConfigProblem {
  /** The file (or directory, or variable) the problem is in. */
  file: string;
  line: number | null;
  column: number | null;
  /** The field path, e.g. policies.critical.notify.0.role; null when the problem is not about one field. */
  field: string | null;
  problem: string;
}

const locatedProblem = /^(.+?):(\d+):(\d+): (?:(\(top level\)|[^\s:]+): )?(.*)$/s;

/** Splits a problem line as every loader writes it, `file:line:col: field.path: problem` (line and field optional). */
export function problemParts(text: string): ConfigProblem {
  const m = locatedProblem.exec(text);
  if (m) return { file: m[1]!, line: Number(m[2]), column: Number(m[3]), field: m[4] ?? null, problem: m[5]! };
  const i = text.indexOf(': ');
  return i < 0 ? { file: '', line: null, column: null, field: null, problem: text } : { file: text.slice(0, i), line: null, column: null, field: null, problem: text.slice(i + 2) };
}

const envRef = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Finds where a path points in the YAML source, falling back to the nearest parent that exists. */
function locate(doc: Document, lines: LineCounter, fieldPath: PropertyKey[]): string {
  for (let n = fieldPath.length; n >= 0; n--) {
    const node = doc.getIn(fieldPath.slice(0, n) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    if (node && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return `${line}:${col}`;
    }
    if (n === 0 && doc.contents?.range) {
      const { line, col } = lines.linePos(doc.contents.range[0]);
      return `${line}:${col}`;
    }
  }
  return '1:1';
}

/** Where a key (rather than its value) sits, for "unknown field" errors. */
function locateKey(doc: Document, lines: LineCounter, parent: PropertyKey[], key: string): string | undefined {
  const map = parent.length === 0 ? doc.contents : doc.getIn(parent as (string | number)[], true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
  if (!range) return undefined;
  const { line, col } = lines.linePos(range[0]);
  return `${line}:${col}`;
}

/** Like locate, but a section (a map or list under a key) is named at its key, where a reader looks for it. */
function locateField(doc: Document, lines: LineCounter, fieldPath: readonly (string | number)[]): string {
  const last = fieldPath[fieldPath.length - 1];
  const node = doc.getIn([...fieldPath], true);
  if (typeof last === 'string' && (isMap(node) || isSeq(node))) {
    const at = locateKey(doc, lines, fieldPath.slice(0, -1), last);
    if (at) return at;
  }
  return locate(doc, lines, [...fieldPath]);
}

function fieldName(p: PropertyKey[]): string {
  return p.length === 0 ? '(top level)' : p.map(String).join('.');
}

/**
 * A value matching none of a union's shapes ("a schedule, a person, a team or a chat target") is described by the
 * one shape it came closest to, with that shape's own problems and paths (an unknown channel in a schedule
 * target names the channel); when no shape is closest, zod's own "invalid input" stays.
 */
function closestBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] | null {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return null;
  const sizes = issue.errors.map((branch) => branch.length);
  const fewest = Math.min(...sizes);
  if (fewest === 0 || sizes.filter((n) => n === fewest).length > 1) return null;
  return issue.errors[sizes.indexOf(fewest)]!.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

function describeIssues(file: string, doc: Document, lines: LineCounter, issues: z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue): string[] => {
    const closest = closestBranch(issue);
    if (closest) return describeIssues(file, doc, lines, closest);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const p = [...issue.path, key];
        return `${file}:${locateKey(doc, lines, issue.path, key) ?? locate(doc, lines, p)}: ${fieldName(p)}: unknown field`;
      });
    }
    return [`${file}:${locate(doc, lines, issue.path)}: ${fieldName(issue.path)}: ${issue.message}`];
  });
}

/** Replaces ${VAR} and ${VAR:-default} in string values with environment variables, so secrets stay out of the file. */
function interpolateEnv(file: string, doc: Document, lines: LineCounter, env: Env): string[] {
  const problems: string[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (!isScalar(node) || typeof node.value !== 'string' || !node.value.includes('${')) return;
      node.value = node.value.replace(envRef, (_m, name: string, fallback: string | undefined) => {
        const value = env[name];
        if (value !== undefined && value !== '') return value;
        if (fallback !== undefined) return fallback;
        const pos = node.range ? lines.linePos(node.range[0]) : { line: 1, col: 1 };
        problems.push(`${file}:${pos.line}:${pos.col}: environment variable ${name} is not set`);
        return '';
      });
    },
  });
  return problems;
}

/** Where a field of a parsed file stands, as "line:col" (the nearest parent that exists when the path does not). */
export type Locator = (fieldPath: readonly (string | number)[]) => string;

/**
 * Parses one YAML text and validates it with a zod schema. Every problem names the file, line, column and
 * field; ${VAR} references are filled from env first. Throws ConfigError with all problems found. Also hands
 * back a locator, so checks made after the schema (references between files) can name lines too.
 */
export function parseYamlDocument<S extends z.ZodType>(schema: S, text: string, file: string, env: Env = {}): { value: z.output<S>; locate: Locator } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`;
    });
    throw new ConfigError(problems.join('\n'), problems);
  }
  const envProblems = interpolateEnv(file, doc, lines, env);
  if (envProblems.length > 0) throw new ConfigError(envProblems.join('\n'), envProblems);
  const raw = doc.toJS() ?? {};
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = describeIssues(file, doc, lines, result.error.issues);
    throw new ConfigError(problems.join('\n'), problems);
  }
  return { value: result.data, locate: (fieldPath) => locateField(doc, lines, fieldPath) };
}

/** parseYamlDocument for callers that only need the value. */
export function parseYamlFile<S extends z.ZodType>(schema: S, text: string, file: string, env: Env = {}): z.output<S> {
  return parseYamlDocument(schema, text, file, env).value;
}
