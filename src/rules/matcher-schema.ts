import { z } from 'zod';
import { compileMatcher, MatcherError, parseMatchers, type CompiledMatcher } from './matchers.js';

/** A label name, as Prometheus allows it. */
export const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name');

/**
 * Alertmanager matchers, one text or a list (rules, inhibit rules, heartbeats). They are parsed and their regexes
 * compiled while the file is validated, so a bad one names its line.
 */
export const matcherList = z.union([z.string(), z.array(z.string())]).transform((m, ctx) => {
  const texts = typeof m === 'string' ? [m] : m;
  const out: CompiledMatcher[] = [];
  for (const text of texts) {
    try {
      for (const parsed of parseMatchers(text)) out.push(compileMatcher(parsed));
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof MatcherError ? err.message : String(err) });
    }
  }
  return out;
});
