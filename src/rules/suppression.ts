import { isWindowOpen, nextWindowChange } from './maintenance.js';
import { matches, type AlertFacts } from './evaluate.js';
import type { InhibitionIndex } from './inhibition.js';
import type { RuleSet } from './ruleset.js';
import type { SilenceBook } from './silences.js';
import type { Suppression } from './suppression-types.js';

export interface SuppressionContext {
  rules: RuleSet;
  silences: SilenceBook;
  inhibition: InhibitionIndex;
}

/** Why this alert pages nobody right now: a silence, a maintenance window, or inhibition (in that order). */
export function findSuppression(
  ctx: SuppressionContext,
  alert: Pick<AlertFacts, 'labels' | 'annotations'> & { fingerprint: string },
  now: number,
): Suppression | null {
  const silence = ctx.silences.matching(alert.labels, now);
  if (silence) {
    return {
      kind: 'silence',
      id: silence.id,
      reason: `silenced by ${silence.createdBy} until ${new Date(silence.endsAt).toISOString()}: ${silence.comment} (silence ${silence.id})`,
      until: silence.endsAt,
    };
  }
  for (const w of ctx.rules.maintenance) {
    if (!isWindowOpen(w.window, now) || !matches(w.matchers, alert)) continue;
    const until = nextWindowChange(w.window, now);
    return {
      kind: 'maintenance',
      id: w.name,
      reason: `in maintenance window "${w.name}" until ${new Date(until).toISOString()}`,
      until,
    };
  }
  const inhibitor = ctx.inhibition.inhibitor(ctx.rules, alert.fingerprint, alert.labels);
  if (inhibitor) {
    return {
      kind: 'inhibited',
      id: inhibitor.rule,
      reason: `inhibited by ${inhibitor.source} (inhibit rule "${inhibitor.rule}")`,
      until: null,
    };
  }
  return null;
}

/** Whether some maintenance window opened in (since, now]: firing alerts may need suppressing. */
export function windowOpenedBetween(rules: RuleSet, since: number, now: number): boolean {
  return rules.maintenance.some(
    ({ window: w }) => !isWindowOpen(w, since) && (isWindowOpen(w, now) || nextWindowChange(w, since) <= now),
  );
}

/** Whether some maintenance window closed in (since, now]: alerts it held page again. */
export function windowClosedBetween(rules: RuleSet, since: number, now: number): boolean {
  return rules.maintenance.some(({ window: w }) => isWindowOpen(w, since) && (!isWindowOpen(w, now) || nextWindowChange(w, since) <= now));
}
