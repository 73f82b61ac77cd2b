import type { Alert } from '../alerts/alert.js';
import { Readiness } from '../errors/ready-within.js';
import { notFound } from '../errors/errors.js';
import type { Clock } from '../time/clock.js';
import type { IncidentRow, Store, StoreTx } from '../store/types.js';
import type { SilenceRow } from '../rules/suppression-types.js';
import { acknowledge, acknowledgeAlert } from './acknowledge.js';
import type { Actor } from './actor.js';
import { applyAlert, lookAheadForGroups, type EngineMirrors } from './apply-alert.js';
import type { EngineOptions } from './engine-options.js';
import type { AlertOutcome, DecidedAlerts, EnginePort, IngestResult, NewSilence } from './engine-port.js';
import { escalateNow } from './escalate-now.js';
import { JoinLog } from './join-log.js';
import { IngestBatch } from './ingest-batch.js';
import { IngestQueue } from './ingest-queue.js';
import { expireDue } from './expire.js';
import { releaseHold } from './holds.js';
import { writeNote, writeNoteOnce, type NoteInput } from './notes.js';
import { ReceiptBook } from './receipts.js';
import { resolveAlertByFingerprint, resolveByHand } from './resolve-by-hand.js';
import { createSilence, expireSilence } from './silences.js';
import { SuppressionPass } from './suppression-pass.js';
import { runDueTimers } from './timers/run-due.js';
import { vigil, writeEvent } from './timeline.js';

export type { Actor } from './actor.js';
export type { EngineOptions, RemediationPort } from './engine-options.js';
export type { AlertOutcome, DecidedAlerts, EnginePort, IncidentNote, IngestResult, NewSilence } from './engine-port.js';

/**
 * Turns alerts into incidents: grouping, deduplication, flapping and the state machine
 * triggered → acknowledged → resolved. Every change is a timeline event, written in the same
 * transaction as the change itself. The facade the rest of Vigil uses; each piece is its own module.
 */
/** While the database cannot be reached at start-up, the mirrors are loaded again this often. */
const RELOAD_RETRY_MS = 2000;

export class IncidentEngine implements EnginePort {
  /** Silences, maintenance windows and inhibition applied to firing alerts, and batched receipts of repeats. */
  private readonly mirrors: EngineMirrors;
  private readonly ready: Readiness;
  private readonly requests: IngestQueue;
  /** Each incident's joins of the last minute, across writes (storm summaries). */
  private readonly joins = new JoinLog();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: EngineOptions,
    /** Ingest requests that may wait for the store at most (store.maxPendingWrites); more are answered 503. */
    maxWaitingRequests: number,
  ) {
    this.mirrors = { suppressions: new SuppressionPass(store, clock, options), receipts: new ReceiptBook() };
    this.ready = new Readiness(this.openThenLoad());
    // Another instance changed a silence or an inhibiting alert: this one's mirrors are read again.
    store.onPeerChange((topic) => {
      if (topic === 'suppression') this.reloadMirrorsSoon();
    });
    this.requests = new IngestQueue(
      store,
      (tx, batch, alerts) => this.apply(tx, batch, alerts),
      this.joins,
      maxWaitingRequests,
      (tx, batch, alerts) => lookAheadForGroups(this.options, tx, batch, alerts),
    );
  }

  /**
   * The mirrors are filled once the store is open (a store that never opens is final: serve stops). Loading
   * them is tried again on any failure (a database away, a statement cancelled), or ingest would stay refused.
   */
  private async openThenLoad(): Promise<void> {
    await this.store.opened();
    for (;;) {
      try {
        await this.loadMirrors();
        return;
      } catch (err) {
        this.options.onMirrorLoadFailure?.(err);
        await new Promise((r) => setTimeout(r, RELOAD_RETRY_MS));
      }
    }
  }

  private reloading: Promise<void> | null = null;
  private reloadAgain = false;

  /** One reload at a time; changes told while it runs are covered by one more. */
  private reloadMirrorsSoon(): void {
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        await this.ready.settled.catch(() => {});
        await this.loadMirrors().catch((err: unknown) => this.options.onMirrorLoadFailure?.(err));
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = null;
    });
  }

  /** What works on the store waits a little for start-up, then answers 503 (the sender retries). */
  private whenReady(): Promise<void> {
    return this.ready.within(2000, 'Vigil is starting: the database is not ready yet');
  }

  /** Fills the in-memory mirrors (silences, inhibiting alerts) from the store; again after a rules reload. */
  async loadMirrors(): Promise<void> {
    await this.mirrors.suppressions.reload(async () => [await this.store.listSilences(this.clock.now()), await this.store.allFiringAlerts()]);
  }

  /** Applies one request's alerts durably: answered after the commit that holds them (shared with the requests that arrived with it). */
  async ingest(alerts: Alert[]): Promise<IngestResult> {
    await this.whenReady();
    await this.options.pings?.ready();
    return this.requests.submit(alerts);
  }

  private async apply(tx: StoreTx, batch: IngestBatch, alerts: Alert[]): Promise<IngestResult> {
    const pings = this.options.pings ? await this.options.pings.take(tx, alerts) : null;
    const outcomes: AlertOutcome[] = [];
    const incidentIds = new Set<number>();
    for (let i = 0; i < alerts.length; i++) {
      if (pings?.taken[i]) {
        outcomes.push('ping');
        continue;
      }
      const { outcome, incidentId } = await applyAlert(this.options, this.mirrors, tx, batch, alerts[i]!);
      outcomes.push(outcome);
      if (incidentId !== null) incidentIds.add(incidentId);
    }
    if (pings) await this.applyDecided(tx, batch, pings.follow, alerts[0]!.receivedAt);
    return { accepted: alerts.length, outcomes, incidentIds: [...incidentIds] };
  }

  /** A stage's own alerts and the notes for the incidents they touched, in the write that decided them. */
  private async applyDecided(tx: StoreTx, batch: IngestBatch, decided: DecidedAlerts<unknown>, now: number): Promise<void> {
    for (const { alert, notes } of decided.alerts) {
      const { incidentId } = await applyAlert(this.options, this.mirrors, tx, batch, alert);
      if (incidentId === null) continue;
      for (const n of notes) await writeEvent(tx, incidentId, now, vigil(alert.source), n.kind, n.message, n.data ?? null);
    }
  }

  /**
   * A write that changes a stage's own state and applies the alerts that change implies, as one commit
   * (heartbeats: a monitor goes down and its alert fires, or a ping brings it back and its alert resolves).
   */
  async decideAlerts<T>(decide: (tx: StoreTx) => Promise<DecidedAlerts<T>>): Promise<T> {
    await this.whenReady();
    return this.store.write(async (tx) => {
      const decided = await decide(tx);
      if (decided.alerts.length > 0) {
        const batch = new IngestBatch(this.joins);
        await this.applyDecided(tx, batch, decided, this.clock.now());
        await batch.writeSummaries(tx);
      }
      return decided.value;
    });
  }

  /** Why alerts with these labels page nobody now (a silence, a maintenance window, inhibition), or null. */
  mutedBy(labels: Record<string, string>): string | null {
    return this.mirrors.suppressions.find({ labels, annotations: {}, fingerprint: '' }, this.clock.now())?.reason ?? null;
  }

  /** Writes the batched receipts of unchanged repeats (a scheduler job, and at shutdown). */
  flushReceipts(chunk = 250): Promise<number> {
    return this.mirrors.receipts.flush(this.store, chunk);
  }

  /** Resolves firing alerts whose lifetime ended without an update (Alertmanager's resolve_timeout). */
  expireDue(limit = 1000): Promise<number> {
    const now = this.clock.now();
    return this.store.write((tx) => expireDue(this.options, this.mirrors.suppressions, tx, now, limit));
  }

  /** The incident timers that are due (a scheduler job); see timers/run-due.ts. */
  async runTimers(chunk?: number, budgetMs?: number): Promise<number> {
    await this.whenReady();
    return runDueTimers(this.store, this.clock, this.options, chunk, budgetMs);
  }

  /** When the earliest incident timer is due (null: none set), so the scheduler wakes on time. */
  nextTimerDueAt(): Promise<number | null> {
    return this.store.nextTimerDueAt();
  }

  /**
   * Ends a page hold early (a run failed, asked to escalate, or was refused) and pages now, with the reason
   * on the timeline. Nothing happens when the incident is no longer held.
   */
  releaseHold(incidentId: number, why: string): Promise<void> {
    return this.store.write((tx) => releaseHold(this.options, tx, incidentId, why, this.clock.now()));
  }

  acknowledge(id: number, actor: Actor): Promise<IncidentRow> {
    return this.store.write((tx) => acknowledge(this.options, tx, id, actor, this.clock.now()));
  }

  acknowledgeAlert(fingerprint: string, actor: Actor): Promise<IncidentRow | null> {
    return this.store.write((tx) => acknowledgeAlert(this.options, tx, fingerprint, actor, this.clock.now()));
  }

  resolve(id: number, actor: Actor): Promise<IncidentRow> {
    return this.store.write((tx) => resolveByHand(this.options, this.mirrors.suppressions, tx, id, actor, this.clock.now()));
  }

  resolveAlertByFingerprint(fingerprint: string, actor: Actor): Promise<boolean> {
    return this.store.write((tx) => resolveAlertByFingerprint(this.options, this.mirrors.suppressions, tx, fingerprint, actor, this.clock.now()));
  }

  escalateNow(id: number, actor: Actor): Promise<IncidentRow> {
    return this.store.write((tx) => escalateNow(this.options, tx, id, actor, this.clock.now()));
  }

  addNote(id: number, actor: NoteInput) {
    return this.store.write((tx) => writeNote(tx, id, actor, this.clock.now()));
  }

  /** A note a sender may deliver again (a Slack event): recorded once per key within `windowMs`. */
  addNoteOnce(id: number, actor: NoteInput, once: { key: string; windowMs: number }): Promise<boolean> {
    return this.store.write((tx) => writeNoteOnce(tx, id, actor, once, this.clock.now()));
  }

  async createSilence(input: NewSilence): Promise<SilenceRow> {
    await this.whenReady();
    const now = this.clock.now();
    return this.store.write((tx) => createSilence(this.mirrors.suppressions, tx, input, now));
  }

  /** Ends a silence (unless it has ended) and stores its replacement in one write: never a moment without either. */
  async replaceSilence(id: string, input: NewSilence, by: string): Promise<SilenceRow> {
    await this.whenReady();
    const now = this.clock.now();
    return this.store.write(async (tx) => {
      const old = await tx.getSilence(id);
      if (!old) throw notFound(`silence ${id} not found`);
      if (old.endsAt > now) await expireSilence(this.mirrors.suppressions, tx, id, by, now);
      return createSilence(this.mirrors.suppressions, tx, input, now);
    });
  }

  async expireSilence(id: string, by: string): Promise<SilenceRow> {
    await this.whenReady();
    const now = this.clock.now();
    return this.store.write((tx) => expireSilence(this.mirrors.suppressions, tx, id, by, now));
  }

  /**
   * Keeps suppression current (a scheduler job): alerts whose silence, window or inhibiting alert has
   * ended page normally again, and alerts that started firing before a new silence, window or
   * inhibiting alert are suppressed. Returns how many alerts changed.
   */
  async checkSuppressions(chunk = 500): Promise<number> {
    await this.whenReady();
    return this.mirrors.suppressions.check(chunk);
  }

  /** Silences not yet ended (rules test and the API read them). */
  get silences() {
    return this.mirrors.suppressions.silences;
  }
}
