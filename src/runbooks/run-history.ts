/**
 * Where the rate limit reads past runs. The integration backs it with the database so the limit survives a
 * restart; MemoryRunHistory serves tests and a Vigil without a store table yet.
 */
export interface RunHistory {
  /** Runs of `runbook` for target `key` started after `since` (epoch ms, exclusive). Dry runs are never recorded. */
  recentRuns(runbook: string, key: string, since: number): number | Promise<number>;
  /** A real run was admitted at `at` (`runId`, when the caller stores runs, names it). */
  recordRun(runbook: string, key: string, at: number, runId?: string): void | Promise<void>;
}

export class MemoryRunHistory implements RunHistory {
  private readonly runs = new Map<string, number[]>();

  recentRuns(runbook: string, key: string, since: number): number {
    return (this.runs.get(`${runbook}\0${key}`) ?? []).filter((t) => t > since).length;
  }

  recordRun(runbook: string, key: string, at: number): void {
    const id = `${runbook}\0${key}`;
    const list = this.runs.get(id) ?? [];
    list.push(at);
    this.runs.set(id, list);
  }

  /** Forgets runs at or before `before` (call now and then; a day's worth is small). */
  prune(before: number): void {
    for (const [id, list] of this.runs) {
      const kept = list.filter((t) => t > before);
      if (kept.length) this.runs.set(id, kept);
      else this.runs.delete(id);
    }
  }
}
