import { compileMatcher, formatMatcher, MatcherError, parseMatchers, type CompiledMatcher, type Matcher } from './matchers.js';
import type { SilenceRow } from './suppression-types.js';

export interface Silence extends SilenceRow {
  compiled: CompiledMatcher[];
}

export function compileSilence(row: SilenceRow): Silence {
  return { ...row, compiled: row.matchers.flatMap((m) => parseMatchers(m).map(compileMatcher)) };
}

/** Matchers as people write them, one per entry, normalized (a `{a="b", c="d"}` entry becomes two). */
export function normalizeMatchers(texts: string[]): string[] {
  return texts.flatMap((t) => parseMatchers(t).map(formatMatcher));
}

/**
 * Why these matchers cannot make a silence, or null: silences match labels only, every matcher must compile, and
 * (like Alertmanager) at least one must not match the empty string, or the silence would mute everything.
 */
export function silenceMatcherProblem(matchers: readonly Matcher[]): string | null {
  if (matchers.length === 0) return 'at least one matcher is required';
  const annotation = matchers.find((m) => m.name.startsWith('annotations.'));
  if (annotation) return `silences match labels only, not ${annotation.name}`;
  try {
    if (matchers.map(compileMatcher).every((m) => m.matches(''))) return 'at least one matcher must not match the empty string (this silence would mute everything)';
  } catch (err) {
    if (err instanceof MatcherError) return err.message;
    throw err;
  }
  return null;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export function silenceState(s: Pick<SilenceRow, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (now >= s.endsAt) return 'expired';
  return now < s.startsAt ? 'pending' : 'active';
}

/** The silences Vigil knows that have not ended, kept in memory and changed only after a commit. */
export class SilenceBook {
  private readonly byId = new Map<string, Silence>();

  load(rows: SilenceRow[]): void {
    this.byId.clear();
    for (const r of rows) this.byId.set(r.id, compileSilence(r));
  }

  put(row: SilenceRow): void {
    this.byId.set(row.id, compileSilence(row));
  }

  /** Active at `now` and matching the labels (silences match labels only, as in Alertmanager). */
  matching(labels: Record<string, string>, now: number): Silence | undefined {
    for (const s of this.byId.values()) {
      if (silenceState(s, now) !== 'active') continue;
      if (s.compiled.every((m) => m.matches(labels[m.name]))) return s;
    }
    return undefined;
  }

  /** Whether any silence began in (since, now]: alerts already firing may need suppressing. */
  startedBetween(since: number, now: number): boolean {
    for (const s of this.byId.values()) if (s.startsAt > since && s.startsAt <= now) return true;
    return false;
  }

  /** Whether any silence ended in (since, now]: alerts it muted page again. */
  endedBetween(since: number, now: number): boolean {
    for (const s of this.byId.values()) if (s.endsAt > since && s.endsAt <= now) return true;
    return false;
  }

  /** Drops silences that ended before `now` (they stay in the store for the record). */
  prune(now: number): void {
    for (const [id, s] of this.byId) if (s.endsAt <= now) this.byId.delete(id);
  }
}
