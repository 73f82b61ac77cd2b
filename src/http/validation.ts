import '../errors/zod-messages.js';
import type { z } from 'zod';
import { badRequest, type FieldProblem } from '../errors/errors.js';

/** Formats a zod path as alerts[0].labels.severity. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(body)';
}

function problemsOf(error: z.ZodError): FieldProblem[] {
  return error.issues.slice(0, 20).map((issue) => {
    if (issue.code === 'invalid_union' && 'errors' in issue) {
      // Report the first branch's problem rather than zod's generic "invalid input".
      const first = (issue.errors as z.core.$ZodIssue[][])[0]?.[0];
      if (first) return { field: fieldPath([...issue.path, ...first.path]), problem: first.message };
    }
    return { field: fieldPath(issue.path), problem: issue.message };
  });
}

/** Validates a request body; the 400 names the first offending field and lists the others in details. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  if (body === undefined) throw badRequest(`${what}: request body is empty`, [{ field: '(body)', problem: 'required' }]);
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = problemsOf(result.error);
  const first = problems[0]!;
  throw badRequest(`${what}: ${first.field}: ${first.problem}`, problems);
}

/**
 * Validates a query string against an object schema. A parameter the route does not know is a 400 naming it:
 * a misspelt filter (`?stauts=open`) must not quietly answer everything.
 */
export function parseQuery<S extends z.ZodObject>(schema: S, query: unknown): z.output<S> {
  const given = query !== null && typeof query === 'object' ? Object.keys(query) : [];
  const known = Object.keys(schema.shape);
  const unknown = given.filter((k) => !known.includes(k)).map((k) => k.slice(0, 64));
  if (unknown.length > 0) {
    const problem = `unknown query parameter (expected ${known.length ? known.join(', ') : 'none'})`;
    throw badRequest(`query: ${unknown[0]}: ${problem}`, unknown.slice(0, 20).map((field) => ({ field, problem })));
  }
  return parseBody(schema, query ?? {}, 'query');
}
