import type { Clock } from '../time/clock.js';
import { InhibitionIndex } from '../rules/inhibition.js';
import { SilenceBook } from '../rules/silences.js';
import { findSuppression, windowClosedBetween, windowOpenedBetween } from '../rules/suppression.js';
import type { AlertRow, Store, StoreTx } from '../store/types.js';
import type { SilenceRow, Suppression } from '../rules/suppression-types.js';
import { alertLabel } from '../rules/grouping.js';
import { decide } from './decide.js';
import type { EngineOptions } from './engine-options.js';
import { pageIfDue } from './page.js';
import { vigil, writeEvent } from './timeline.js';

/**
 * Why firing alerts page nobody (silences, maintenance windows, inhibition), with in-memory mirrors of the
 * silences and inhibiting alerts kept in step with the store after each commit, and the pass that keeps
 * stored suppression current as time passes. It only walks the alerts when something could have changed.
 */
export class SuppressionPass {
  /** Silences not yet ended. */
  readonly silences = new SilenceBook();
  /** Firing alerts that can inhibit others. */
  private readonly inhibition = new InhibitionIndex();
  /** Set when something may now suppress alerts that already fire (a new silence, a new inhibiting alert). */
  private suppressionPassNeeded = true;
  /** Set when a suppression may have ended (an inhibiting alert resolved, rules reloaded). */
  private releasePassNeeded = true;
  private lastCheck: number | null = null;
  /** A change the other instances have yet to hear of (told once per turn of the event loop, not per alert). */
  private peersToTell = false;
  /** Counts the changes made here (reload compares it before and after its read). */
  private changes = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ctx: EngineOptions,
  ) {}

  /**
   * Fills the mirrors from the store (at start-up, after a rules reload, when another instance changed
   * them). A change committed here while the store was being read would be lost by filling the mirrors with
   * what was read before it: the store is read again then.
   */
  async reload(read: () => Promise<[SilenceRow[], AlertRow[]]>): Promise<void> {
    for (;;) {
      const before = this.changes;
      const [silences, firing] = await read();
      if (this.changes !== before) continue;
      await this.load(silences, firing);
      return;
    }
  }

  async load(silences: SilenceRow[], firing: AlertRow[]): Promise<void> {
    this.silences.load(silences);
    this.inhibition.clear();
    const rules = this.ctx.rules();
    for (const a of firing) this.inhibition.add(rules, a.fingerprint, a.labels, alertLabel(a.labels));
    this.suppressionPassNeeded = true;
    this.releasePassNeeded = true;
  }

  /** Why this alert pages nobody right now, or null. */
  find(alert: Parameters<typeof findSuppression>[1], now: number): Suppression | null {
    return findSuppression({ rules: this.ctx.rules(), silences: this.silences, inhibition: this.inhibition }, alert, now);
  }

  /** After a commit: a firing alert that can inhibit others may mute alerts that already fire. */
  alertFiring(fingerprint: string, labels: Record<string, string>): void {
    if (!this.inhibition.add(this.ctx.rules(), fingerprint, labels, alertLabel(labels))) return;
    this.suppressionPassNeeded = true;
    this.changedHere();
  }

  /** After a commit: an alert resolved, so what it inhibited may page again. */
  alertResolved(fingerprint: string): void {
    if (!this.inhibition.remove(fingerprint)) return;
    this.releasePassNeeded = true;
    this.changedHere();
  }

  silenceCreated(row: SilenceRow): void {
    this.silences.put(row);
    this.suppressionPassNeeded = true;
    this.changedHere();
  }

  silenceEnded(row: SilenceRow): void {
    this.silences.put(row);
    this.releasePassNeeded = true;
    this.changedHere();
  }

  /**
   * A silence or inhibiting alert changed here: counted (reload), and told to the other instances on the
   * database, which read their mirrors again (engine.ts); until then, and if the notification is lost, the
   * suppression pass corrects what they decided without it.
   */
  private changedHere(): void {
    this.changes++;
    if (this.peersToTell) return;
    this.peersToTell = true;
    setImmediate(() => {
      this.peersToTell = false;
      this.store.tellPeers('suppression').catch((err: unknown) => this.ctx.onMirrorLoadFailure?.(err));
    });
  }

  async note(tx: StoreTx, incidentId: number, labels: Record<string, string>, why: Suppression, source: string, at: number): Promise<void> {
    await writeEvent(tx, incidentId, at, vigil(source), 'suppressed', `${alertLabel(labels)} pages nobody: ${why.reason}`, { ...why });
  }

  /**
   * Keeps suppression current (a scheduler job): alerts whose silence, window or inhibiting alert has
   * ended page normally again, and alerts that started firing before a new silence, window or
   * inhibiting alert are suppressed. Returns how many alerts changed.
   */
  async check(chunk = 500): Promise<number> {
    const now = this.clock.now();
    const since = this.lastCheck ?? now;
    this.lastCheck = now;
    const rules = this.ctx.rules();
    let changed = 0;
    // Suppressed alerts are only walked when something could have released them.
    if (this.releasePassNeeded || this.silences.endedBetween(since, now) || windowClosedBetween(rules, since, now)) {
      this.releasePassNeeded = false;
      changed += await this.recheck(true, now, chunk);
    }
    this.silences.prune(now);
    if (this.suppressionPassNeeded || this.silences.startedBetween(since, now) || windowOpenedBetween(rules, since, now)) {
      this.suppressionPassNeeded = false;
      changed += await this.recheck(false, now, chunk);
    }
    return changed;
  }

  /** Walks firing alerts that are (or are not) suppressed, in chunks, and records every change. */
  private async recheck(suppressed: boolean, now: number, chunk: number): Promise<number> {
    let changed = 0;
    let after = 0;
    for (;;) {
      const { count, last, more } = await this.store.write(async (tx) => {
        const alerts = await tx.firingAlerts(suppressed, after, chunk);
        let n = 0;
        for (const alert of alerts) {
          const why = this.find(alert, now);
          if (sameSuppression(why, alert.suppressedBy)) continue;
          n++;
          await tx.updateAlert(alert.id, { suppressedBy: why });
          const incident = await tx.getIncident(alert.incidentId);
          if (!incident) continue;
          const delta = (why ? 1 : 0) - (alert.suppressedBy ? 1 : 0);
          if (delta !== 0) {
            incident.suppressedCount = Math.max(0, incident.suppressedCount + delta);
            await tx.updateIncident(incident.id, { suppressedCount: incident.suppressedCount, updatedAt: now });
          }
          if (why) await this.note(tx, incident.id, alert.labels, why, 'scheduler', now);
          else {
            const message = `${alertLabel(alert.labels)} pages again: ${endedReason(alert.suppressedBy!)}`;
            await writeEvent(tx, incident.id, now, vigil('scheduler'), 'unsuppressed', message, { ended: alert.suppressedBy });
            await pageIfDue(this.ctx, tx, incident, decide(this.ctx, alert), now);
          }
        }
        return { count: n, last: alerts.at(-1)?.id ?? after, more: alerts.length === chunk };
      });
      changed += count;
      after = last;
      if (!more) return changed;
    }
  }
}

function sameSuppression(a: Suppression | null, b: Suppression | null): boolean {
  if (a === null || b === null) return a === b;
  return a.kind === b.kind && a.id === b.id && a.until === b.until;
}

function endedReason(was: Suppression): string {
  if (was.kind === 'silence') return `silence ${was.id} ended`;
  if (was.kind === 'maintenance') return `maintenance window "${was.id}" closed`;
  return `the alert inhibiting it (rule "${was.id}") resolved`;
}
