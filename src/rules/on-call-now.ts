import type { RuleSet } from './ruleset.js';
import { whoIsOnCall } from '../oncall/who-is-on-call.js';

/**
 * Who a schedule has on call at an instant, remembered per rule set for the shift found: every page while the
 * same shift lasts reuses it (resolving a schedule is the costly part of paging).
 */
const onCallMemo = new WeakMap<RuleSet, Map<string, { person: string | null; shiftStart: number; shiftEnd: number }>>();
export function onCallAt(rules: RuleSet, scheduleName: string, at: number): string | null {
  let memo = onCallMemo.get(rules);
  if (!memo) onCallMemo.set(rules, (memo = new Map()));
  const known = memo.get(scheduleName);
  if (known && known.shiftStart <= at && at < known.shiftEnd) return known.person;
  const schedule = rules.schedules.get(scheduleName);
  if (!schedule) return null;
  const found = whoIsOnCall(schedule, rules.people, at);
  memo.set(scheduleName, found);
  return found.person;
}
