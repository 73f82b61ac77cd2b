import { detailsDigest } from '../../alerts/details-digest.js';
import type { StoreTx } from '../types.js';
import { AlertStateTable } from './alert-state-table.js';
import type { FingerprintFilter } from './fingerprint-filter.js';

/** Bounds the alert-state cache (about 30 MB at the most). */
const maxCachedStates = 200_000;

/**
 * Current state of recently seen alerts, so a repeat of a firing alert needs no query. Every write to an
 * alert drops its entry, and any rolled-back write drops them all (clear), so it never holds uncommitted state.
 * States are kept column by column (alert-state-table.ts): an open alert costs about 100 bytes here, not 500.
 */
export class AlertStateCache {
  private readonly table = new AlertStateTable(maxCachedStates);

  /** `stored`: the fingerprints the alerts table holds (read at open), so a fingerprint never seen needs no query. */
  constructor(private readonly stored: FingerprintFilter | null) {}

  /** The transaction with alert-state reads served from the cache and alert writes keeping it true. */
  over(base: StoreTx): StoreTx {
    return {
      ...base,
      currentAlertState: (fingerprint) => {
        const cached = this.table.get(fingerprint);
        if (cached) return Promise.resolve(cached);
        if (this.stored && !this.stored.mightHold(fingerprint)) return Promise.resolve(undefined);
        return base.currentAlertState(fingerprint).then((state) => {
          if (state) this.table.set(fingerprint, state);
          return state;
        });
      },
      refreshAlert: (id, f) => {
        const written = base.refreshAlert(id, f);
        // Write-through: the cached state follows the row (a failed write rolls back and clears the whole cache).
        this.table.patch(id, {
          endsAt: f.endsAt,
          expiresAt: f.expiresAt,
          ...(f.annotationsJson !== undefined ? { annotationsDigest: detailsDigest(f.annotationsJson) } : {}),
          ...(f.valuesJson !== undefined ? { valuesDigest: detailsDigest(f.valuesJson) } : {}),
          // The raw severity changes only with the severity, as in the row.
          ...(f.severity !== undefined ? { severity: f.severity, rawSeverity: f.rawSeverity ?? null } : {}),
        });
        return written;
      },
      insertAlert: (alert) => {
        this.table.deleteFingerprint(alert.fingerprint);
        this.stored?.add(alert.fingerprint);
        return base.insertAlert(alert);
      },
      addAlert: (alert) => {
        this.table.deleteFingerprint(alert.fingerprint);
        this.stored?.add(alert.fingerprint);
        return base.addAlert(alert);
      },
      updateAlert: (id, patch) => {
        this.table.deleteId(id);
        return base.updateAlert(id, patch);
      },
    };
  }

  /** Drops every entry: some write rolled back. */
  clear(): void {
    this.table.clear();
  }
}
