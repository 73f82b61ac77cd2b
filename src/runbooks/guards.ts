import type { Clock } from '../time/clock.js';
import { formatDuration } from '../time/duration.js';
import type { RunHistory } from './run-history.js';
import { renderText } from './step-template.js';
import type { AlertContext, Runbook } from './types.js';

export interface GuardSettings {
  /** The kill switch (config runbooks.enabled). */
  enabled: boolean;
  /** Runs of all runbooks at the same time (config runbooks.maxConcurrentRuns). */
  maxConcurrentRuns: number;
}

export type GuardName = 'kill_switch' | 'concurrency' | 'global_concurrency' | 'rate_limit';

export type Admission =
  | { ok: true; key: string; release: () => void }
  | { ok: false; guard: GuardName; key: string; reason: string };

export interface AdmitOptions {
  /** A dry run is checked like a real one but not counted against the rate limit. */
  dryRun?: boolean;
  /** A person started the run by hand: the rate limit does not apply (the kill switch and concurrency do). */
  manual?: boolean;
  /** The stored run being admitted, handed to RunHistory.recordRun. */
  runId?: string;
}

const times = (n: number) => (n === 1 ? '1 time' : `${n} times`);

/** The rate-limit target: rate_limit.key rendered from the alert (a missing label renders empty). */
export function targetKey(runbook: Runbook, alert: AlertContext): string {
  const key = runbook.rateLimit?.key;
  return key ? renderText(key, { alert, env: {}, steps: new Map() }) : '';
}

/**
 * Decides whether a runbook may start now. A refusal carries a reason in words, meant for the page that goes
 * to a human instead ("restart-service ran 3 times for checkout in the last 1h; paging a human instead").
 * Admitted runs hold a concurrency slot until release() is called (exactly once, when the run ends).
 */
export class RunbookGuards {
  private running = 0;
  private readonly perRunbook = new Map<string, number>();
  /** Rate-limit decisions are serialised so two alerts at once cannot both take the last slot. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private settings: GuardSettings,
    private readonly history: RunHistory,
    private readonly clock: Clock,
  ) {}

  /** Applies a reloaded config (kill switch, global limit); runs in progress keep their slots. */
  update(settings: GuardSettings): void {
    this.settings = settings;
  }

  /** Runs in progress, of one runbook or of all. */
  active(runbook?: string): number {
    return runbook === undefined ? this.running : (this.perRunbook.get(runbook) ?? 0);
  }

  admit(runbook: Runbook, alert: AlertContext, options: AdmitOptions = {}): Promise<Admission> {
    const next = this.queue.then(() => this.decide(runbook, alert, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async decide(runbook: Runbook, alert: AlertContext, options: AdmitOptions): Promise<Admission> {
    const key = targetKey(runbook, alert);
    const refuse = (guard: GuardName, why: string): Admission => ({ ok: false, guard, key, reason: `${why}; paging a human instead` });
    if (!this.settings.enabled) return refuse('kill_switch', 'runbooks are switched off (runbooks.enabled: false)');
    const mine = this.perRunbook.get(runbook.name) ?? 0;
    if (mine >= runbook.concurrency) {
      return refuse('concurrency', `${runbook.name} is already running ${times(mine)} (concurrency ${runbook.concurrency})`);
    }
    if (this.running >= this.settings.maxConcurrentRuns) {
      return refuse('global_concurrency', `${this.running} runbooks are already running (runbooks.maxConcurrentRuns ${this.settings.maxConcurrentRuns})`);
    }
    const limit = runbook.rateLimit;
    const now = this.clock.now();
    if (limit && !options.manual) {
      const count = await this.history.recentRuns(runbook.name, key, now - limit.per);
      if (count >= limit.max) {
        return refuse('rate_limit', `${runbook.name} ran ${times(count)}${key ? ` for ${key}` : ''} in the last ${formatDuration(limit.per)}`);
      }
    }
    // Recorded before the next decision is taken (decisions are serialised), so two runs cannot share a slot.
    if (!options.dryRun) await this.history.recordRun(runbook.name, key, now, options.runId);
    this.running++;
    this.perRunbook.set(runbook.name, (this.perRunbook.get(runbook.name) ?? 0) + 1);
    let released = false;
    return {
      ok: true,
      key,
      release: () => {
        if (released) return;
        released = true;
        this.running--;
        const left = (this.perRunbook.get(runbook.name) ?? 1) - 1;
        if (left > 0) this.perRunbook.set(runbook.name, left);
        else this.perRunbook.delete(runbook.name);
      },
    };
  }
}
