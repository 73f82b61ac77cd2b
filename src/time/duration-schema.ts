import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * The one zod schema of a duration in config and rule files ("30s", "15m", "1h30m"): ms out, and a problem that
 * names the text and shows examples. `none` (with orNone) stands for "no such timer" and gives null.
 */
export function durationSchema(options: { examples?: string; min?: { ms: number; problem: string } } = {}) {
  const examples = options.examples ?? '30s, 5m, 1h30m';
  return z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `invalid duration "${text}" (expected e.g. ${examples})` });
      return z.NEVER;
    }
    if (options.min && ms < options.min.ms) {
      ctx.addIssue({ code: 'custom', message: `invalid duration "${text}": ${options.min.problem}` });
      return z.NEVER;
    }
    return ms;
  });
}

/** A duration, or `none` (null) where a policy has no such timer. */
export function optionalDurationSchema(examples: string) {
  return z.union([z.literal('none'), z.string()]).transform((text, ctx) => {
    if (text === 'none') return null;
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `invalid duration "${text}" (expected e.g. ${examples})` });
      return z.NEVER;
    }
    return ms;
  });
}
