import type { CheckCondition } from '../types.js';

/** "result_nonempty", "result_empty", or "<op> <number>" which every returned sample must pass. */
export function parseCheckCondition(text: string): CheckCondition {
  const t = text.trim();
  if (t === 'result_nonempty' || t === 'result_empty') return { kind: t };
  const m = /^(>=|<=|==|!=|>|<)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)$/i.exec(t);
  if (!m) throw new Error(`invalid condition "${text}" (expected result_nonempty, result_empty, or a comparison like "> 0", "== 1")`);
  return { kind: 'compare', op: m[1] as '>', value: Number(m[2]), source: t };
}

export function compare(sample: number, c: Extract<CheckCondition, { kind: 'compare' }>): boolean {
  switch (c.op) {
    case '>':
      return sample > c.value;
    case '>=':
      return sample >= c.value;
    case '<':
      return sample < c.value;
    case '<=':
      return sample <= c.value;
    case '==':
      return sample === c.value;
    case '!=':
      return sample !== c.value;
  }
}
