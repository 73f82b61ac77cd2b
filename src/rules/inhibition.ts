import { matches, type AlertFacts } from './evaluate.js';
import type { CompiledInhibitRule, RuleSet } from './ruleset.js';

type Labels = AlertFacts['labels'];

/**
 * Firing alerts that can inhibit others, indexed by inhibit rule and by the values of the rule's `equal`
 * labels, so checking an alert costs a map lookup per rule rather than a scan of every firing alert.
 */
export class InhibitionIndex {
  /** rule name → equal-label key → fingerprint → the source alert's label text */
  private readonly sources = new Map<string, Map<string, Map<string, string>>>();
  private readonly entries = new Map<string, { rule: string; key: string }[]>();

  static key(rule: CompiledInhibitRule, labels: Labels): string {
    return rule.equal.map((n) => labels[n] ?? '').join('\u0000');
  }

  /** Records a firing alert under every rule whose source matchers it meets. */
  add(set: RuleSet, fingerprint: string, labels: Labels, label: string): boolean {
    let added = false;
    for (const rule of set.inhibitRules) {
      if (!matches(rule.source_matchers, { labels, annotations: {} })) continue;
      const key = InhibitionIndex.key(rule, labels);
      let byKey = this.sources.get(rule.name);
      if (!byKey) this.sources.set(rule.name, (byKey = new Map()));
      let fps = byKey.get(key);
      if (!fps) byKey.set(key, (fps = new Map()));
      fps.set(fingerprint, label);
      const list = this.entries.get(fingerprint) ?? [];
      list.push({ rule: rule.name, key });
      this.entries.set(fingerprint, list);
      added = true;
    }
    return added;
  }

  /** Forgets a resolved alert; true when it was a source of some rule. */
  remove(fingerprint: string): boolean {
    const list = this.entries.get(fingerprint);
    if (!list) return false;
    for (const { rule, key } of list) {
      const byKey = this.sources.get(rule);
      const fps = byKey?.get(key);
      fps?.delete(fingerprint);
      if (fps && fps.size === 0) byKey!.delete(key);
    }
    this.entries.delete(fingerprint);
    return true;
  }

  /**
   * The first rule and source alert that mute this alert, with Alertmanager's semantics: target matchers
   * match, a firing source has equal values of the `equal` labels, and an alert never mutes itself.
   * An alert that is itself a source of a rule cannot be muted by that rule (so two alerts that match
   * both sides do not silence each other).
   */
  inhibitor(set: RuleSet, fingerprint: string, labels: Labels): { rule: string; source: string } | null {
    for (const rule of set.inhibitRules) {
      if (!matches(rule.target_matchers, { labels, annotations: {} })) continue;
      if (matches(rule.source_matchers, { labels, annotations: {} })) continue;
      const fps = this.sources.get(rule.name)?.get(InhibitionIndex.key(rule, labels));
      if (!fps) continue;
      for (const [fp, label] of fps) if (fp !== fingerprint) return { rule: rule.name, source: label };
    }
    return null;
  }

  clear(): void {
    this.sources.clear();
    this.entries.clear();
  }
}
