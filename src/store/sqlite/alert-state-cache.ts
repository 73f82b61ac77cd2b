import type { AlertState, StoreTx } from '../types.js';

/** Bounds the alert-state cache (about 100 MB at the most). */
const maxCachedStates = 200_000;

/**
 * Current state of recently seen alerts, so a repeat of a firing alert needs no query. Every write to an
 * alert drops its entry, and any rolled-back write drops them all (clear), so it never holds uncommitted state.
 */
export class AlertStateCache {
  private readonly states = new Map<string, AlertState>();
  private readonly fingerprints = new Map<number, string>();

  /** The transaction with alert-state reads served from the cache and alert writes keeping it true. */
  over(base: StoreTx): StoreTx {
    return {
      ...base,
      currentAlertState: (fingerprint) => {
        const cached = this.states.get(fingerprint);
        if (cached) return Promise.resolve(cached);
        return base.currentAlertState(fingerprint).then((state) => {
          if (state) this.remember(fingerprint, state);
          return state;
        });
      },
      refreshAlert: (id, f) => {
        const written = base.refreshAlert(id, f);
        // Write-through: the cached state follows the row (a failed write rolls back and clears the whole cache).
        const fingerprint = this.fingerprints.get(id);
        const cached = fingerprint === undefined ? undefined : this.states.get(fingerprint);
        if (cached) {
          cached.endsAt = f.endsAt;
          cached.expiresAt = f.expiresAt;
          if (f.annotationsJson !== undefined) cached.annotationsJson = f.annotationsJson;
          if (f.valuesJson !== undefined) cached.valuesJson = f.valuesJson;
          if (f.severity !== undefined) cached.severity = f.severity;
          if (f.rawSeverity !== undefined) cached.rawSeverity = f.rawSeverity;
        }
        return written;
      },
      insertAlert: (alert) => {
        const cached = this.states.get(alert.fingerprint);
        if (cached) this.forget(cached.id);
        return base.insertAlert(alert);
      },
      updateAlert: (id, patch) => {
        this.forget(id);
        return base.updateAlert(id, patch);
      },
    };
  }

  /** Drops every entry: some write rolled back. */
  clear(): void {
    this.states.clear();
    this.fingerprints.clear();
  }

  private remember(fingerprint: string, state: AlertState): void {
    if (this.states.size >= maxCachedStates) this.clear();
    this.states.set(fingerprint, state);
    this.fingerprints.set(state.id, fingerprint);
  }

  private forget(id: number): void {
    const fingerprint = this.fingerprints.get(id);
    if (fingerprint === undefined) return;
    this.fingerprints.delete(id);
    this.states.delete(fingerprint);
  }
}
