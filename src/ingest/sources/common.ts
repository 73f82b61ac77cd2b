import { z } from 'zod';

/** Limits that keep one request's memory bounded beyond the body limit. */
export const limits = {
  labelsPerAlert: 128,
  labelNameLength: 256,
  labelValueLength: 4096,
  annotationValueLength: 16_384,
  urlLength: 4096,
  /** Levels of nesting in free-form JSON a sender may give (PagerDuty's custom_details), as many JSON APIs allow. */
  jsonDepth: 32,
};

/**
 * Which label names a door accepts. `classic` is Prometheus' and Alertmanager's long-standing rule
 * `[a-zA-Z_][a-zA-Z0-9_]*`; `utf8` is what Prometheus 3, Alertmanager 0.27+ and Grafana's own Alertmanager
 * accept: any well-formed UTF-8. Both refuse NUL.
 */
export type LabelNameRule = 'classic' | 'utf8';

const classicLabelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A lone surrogate (not well-formed UTF-16, so no UTF-8 spelling) or NUL. */
const notUtf8OrNul = /[\p{Cs}\0]/u;

function labelNameProblem(name: string, rule: LabelNameRule): string | null {
  if (rule === 'classic') return classicLabelName.test(name) ? null : 'label names must match [a-zA-Z_][a-zA-Z0-9_]*';
  return notUtf8OrNul.test(name) ? 'label names must be well-formed UTF-8 without NUL' : null;
}

/**
 * A map of strings (labels, annotations). Checked in one pass rather than with z.record, which costs
 * about ten times more on the ingest path; problems still name the exact key. Label names follow `names`
 * and label values carry no NUL; annotation names and values are free text (no NUL in names).
 */
function stringMap(valueMax: number, what: 'label' | 'annotation', names: LabelNameRule | null) {
  return z.unknown().transform((value, ctx) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: value === undefined ? 'required' : `expected an object of ${what}s` });
      return z.NEVER;
    }
    let count = 0;
    for (const key in value) {
      count++;
      const v = (value as Record<string, unknown>)[key];
      const nameProblem = names ? labelNameProblem(key, names) : key.includes('\0') ? `${what} names must not contain NUL` : null;
      if (key.length === 0 || key.length > limits.labelNameLength) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${what} names must be 1-${limits.labelNameLength} characters` });
      } else if (nameProblem) {
        ctx.addIssue({ code: 'custom', path: [key], message: nameProblem });
      } else if (typeof v !== 'string') {
        ctx.addIssue({ code: 'custom', path: [key], message: `expected string, got ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}` });
      } else if (v.length > valueMax) {
        ctx.addIssue({ code: 'custom', path: [key], message: `longer than ${valueMax} characters` });
      } else if (names && v.includes('\0')) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'label values must not contain NUL' });
      }
    }
    if (count > limits.labelsPerAlert) ctx.addIssue({ code: 'custom', message: `at most ${limits.labelsPerAlert} ${what}s per alert` });
    if (names && count === 0) ctx.addIssue({ code: 'custom', message: 'an alert needs at least one label' });
    return value as Record<string, string>;
  });
}

const labelSets = {
  classic: stringMap(limits.labelValueLength, 'label', 'classic'),
  utf8: stringMap(limits.labelValueLength, 'label', 'utf8'),
};
export const labelSet = (names: LabelNameRule) => labelSets[names];
export const annotationSet = stringMap(limits.annotationValueLength, 'annotation', null);
export const url = z.string().max(limits.urlLength);

/**
 * Free-form JSON (PagerDuty's custom_details) as the text Vigil stores: at most `limits.jsonDepth` levels deep
 * and `limits.annotationValueLength` characters once serialized. The depth is checked with an explicit stack
 * before anything recursive (JSON.stringify) sees the value, so a hostile nesting is a 400, not a stack overflow.
 */
export const jsonText = z.unknown().transform((value, ctx) => {
  if (deeperThan(value, limits.jsonDepth)) {
    ctx.addIssue({ code: 'custom', message: `nested deeper than ${limits.jsonDepth} levels` });
    return z.NEVER;
  }
  const text = JSON.stringify(value);
  if (text.length > limits.annotationValueLength) {
    ctx.addIssue({ code: 'custom', message: `longer than ${limits.annotationValueLength} characters as JSON` });
    return z.NEVER;
  }
  return text;
});

/** Whether a parsed JSON value nests objects and arrays more than `max` levels deep; iterative. */
export function deeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Drops empty strings so links are only the ones the sender really gave. */
export function nonEmpty(s: string | null | undefined): string | null {
  return s && s.trim() ? s : null;
}
