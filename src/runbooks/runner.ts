import { randomUUID } from 'node:crypto';
import type { Alert } from '../alerts/alert.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../observe/logger.js';
import { conflict, notFound, type Reason } from '../errors/errors.js';
import type { ApprovalRow, IncidentRow, RunbookRunRow, Store, StoreTx } from '../store/types.js';
import type { RemediationPort } from '../incidents/engine.js';
import type { RunbooksConfig } from './config.js';
import { runRunbook } from './executor.js';
import { RunbookGuards, targetKey } from './guards.js';
import type { LiveRunbooks } from './live-runbooks.js';
import type { ApprovalDecision, ApprovalRequest } from './steps/context.js';
import { realSleep, type Sleep } from './timing.js';
import type { AlertContext, RunResult, StepResult } from './types.js';

/** What the runner needs from the incident engine once a run has an outcome. */
export interface RunnerEngine {
  /** Ends a page hold early and pages now, saying why. */
  releaseHold(incidentId: number, why: string): Promise<void>;
  /** Pages the next tier now (a run that failed with on_failure: escalate on an incident already paged). */
  escalateNow(incidentId: number, actor: { by: string; source: string }): Promise<unknown>;
}

export interface RunnerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  runbooks: LiveRunbooks;
  config: RunbooksConfig;
  /** Counts vigil_runbook_runs_total{runbook,outcome}. */
  onOutcome?: (runbook: string, outcome: string) => void;
  /** Sends a runbook's notify step to the incident's responders (written to the outbox). */
  notify?: (incidentId: number, runbook: string, message: string, approvalRunId?: string) => Promise<unknown>;
  sleep?: Sleep;
}

/** Outcomes after which a human must look: a held page goes out at once. */
const needsHuman = new Set(['failed', 'escalate', 'aborted', 'refused', 'interrupted']);

/**
 * Runs runbooks. Runs are queued in the store (in the transaction that opened the incident, or by a person
 * through the API) and picked up here, so a queued run survives a restart; a run that was in progress when
 * Vigil stopped is recorded as interrupted and pages a human rather than being repeated (its steps may not
 * be safe to run twice). Every step is written to the incident timeline as it ends.
 */
export class RunbookRunner implements RemediationPort {
  private readonly guards: RunbookGuards;
  private readonly running = new Set<Promise<void>>();
  /** The runs executing here, each with what stops it (besides a shutdown). */
  private readonly executing = new Map<string, AbortController>();
  /** Runs waiting for a person, by run id (a run waits on one step at a time). */
  private readonly approvals = new Map<string, { run: RunbookRunRow; pending: ApprovalRow; resolve: (d: ApprovalDecision) => void }>();
  private readonly shutdown = new AbortController();
  private engine: RunnerEngine | null = null;
  private polling: Promise<number> | null = null;
  /** Runs claimed and not yet finished, per runbook: a run waits in the queue while its runbook (or all) is at its limit. */
  private readonly inFlight = new Map<string, number>();
  private inFlightTotal = 0;

  constructor(private readonly deps: RunnerDeps) {
    // A step decided through another instance: the run waiting here goes on now rather than at the next poll.
    deps.store.onPeerChange((topic) => {
      if (topic === 'approvals' && this.approvals.size > 0) void this.resumeDecidedElsewhere().catch((err: unknown) => deps.logger.warn({ err }, 'approvals not read; the next poll tries again'));
    });
    this.guards = new RunbookGuards(
      { enabled: deps.config.enabled, maxConcurrentRuns: deps.config.maxConcurrentRuns },
      {
        recentRuns: (runbook, key, since) => deps.store.recentRunbookRuns(runbook, key, since),
        // The run's start is what the rate limit counts; it is written before the next run is admitted.
        recordRun: (_runbook, _key, at, runId) => (runId ? deps.store.write((tx) => tx.startRunbookRun(runId, at)) : undefined),
      },
      deps.clock,
    );
  }

  attach(engine: RunnerEngine): void {
    this.engine = engine;
  }

  /** Queues the rules' runbooks for an incident, in the engine's transaction. Unknown names are recorded. */
  async enqueue(tx: StoreTx, incident: IncidentRow, names: string[], alert: Alert, now: number): Promise<number> {
    const set = this.deps.runbooks.current.runbooks;
    let queued = 0;
    for (const name of names) {
      if (!set.has(name)) {
        await tx.addEvent({
          incidentId: incident.id,
          at: now,
          kind: 'runbook_refused',
          actor: 'vigil',
          source: 'runbooks',
          message: `runbook ${name} is not loaded (no such file in ${this.deps.config.dir}); nothing was run`,
          data: { runbook: name, guard: 'unknown' },
        });
        continue;
      }
      await tx.insertRunbookRun({
        id: randomUUID(),
        incidentId: incident.id,
        runbook: name,
        targetKey: '',
        trigger: 'rule',
        requestedBy: null,
        dryRun: false,
        context: { labels: alert.labels, annotations: alert.annotations, incident: { id: incident.id, title: incident.title, severity: incident.severity } },
        createdAt: now,
      });
      queued++;
    }
    if (queued > 0) tx.afterCommit(() => this.pollInBackground());
    return queued;
  }

  /** A person asks for a run (POST /api/v1/incidents/:id/runbooks/:name/run). */
  async request(incidentId: number, name: string, by: string, dryRun: boolean): Promise<RunbookRunRow> {
    if (!this.deps.runbooks.current.runbooks.has(name)) throw notFound(`runbook ${name} is not loaded`);
    const now = this.deps.clock.now();
    const id = randomUUID();
    // The labels a manual run sees: a firing alert's, else the incident's latest.
    const alerts = await this.deps.store.alertsOf(incidentId);
    const last = alerts.find((a) => a.status === 'firing') ?? alerts.at(-1);
    await this.deps.store.write(async (tx) => {
      const incident = await tx.getIncident(incidentId);
      if (!incident) throw notFound(`incident ${incidentId} not found`);
      await tx.insertRunbookRun({
        id,
        incidentId,
        runbook: name,
        targetKey: '',
        trigger: 'manual',
        requestedBy: by,
        dryRun,
        context: { labels: last?.labels ?? {}, annotations: last?.annotations ?? {}, incident: { id: incident.id, title: incident.title, severity: incident.severity } },
        createdAt: now,
      });
      await tx.addEvent({
        incidentId,
        at: now,
        kind: 'runbook_requested',
        actor: by,
        source: 'api',
        message: `${by} asked for runbook ${name}${dryRun ? ' (dry run)' : ''}`,
        data: { runbook: name, runId: id, dryRun },
      });
      tx.afterCommit(() => this.pollInBackground());
    });
    return (await this.deps.store.getRunbookRun(id))!;
  }

  /** Starts queued runs (a scheduler job, and after each commit that queued one). Returns how many started. */
  /** A poll nobody awaits: a store that cannot be read now is logged; the scheduler's next poll tries again. */
  private pollInBackground(): void {
    this.poll().catch((err: unknown) => this.deps.logger.warn({ err }, 'runbook poll failed; the next tick tries again'));
  }

  poll(): Promise<number> {
    // One poll at a time: two would race to claim the same rows (the claim is safe, but wasteful).
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<number> {
    if (this.shutdown.signal.aborted) return 0;
    // Every poll: with several instances, one that dies leaves its runs to whichever polls after its lease.
    await this.recoverInterrupted();
    await this.stopTakenOver();
    if (this.approvals.size > 0) await this.resumeDecidedElsewhere();
    let started = 0;
    for (const run of await this.deps.store.queuedRunbookRuns(50)) {
      const runbook = this.deps.runbooks.current.runbooks.get(run.runbook);
      // At the concurrency limit the run stays queued until a slot frees (the rate limit, not this, refuses).
      if (this.inFlightTotal >= this.deps.config.maxConcurrentRuns) break;
      if (runbook && (this.inFlight.get(run.runbook) ?? 0) >= runbook.concurrency) continue;
      const context = toAlertContext(run);
      const key = runbook ? targetKey(runbook, context) : '';
      // Stored as the run really is, so dry runs (asked for, global or the runbook's own) never count against the rate limit.
      const dryRun = run.dryRun || this.deps.config.dryRun || (runbook?.dryRun ?? false);
      const claimed = await this.deps.store.write((tx) => tx.claimRunbookRun(run.id, key, dryRun));
      if (!claimed) continue;
      started++;
      this.inFlight.set(run.runbook, (this.inFlight.get(run.runbook) ?? 0) + 1);
      this.inFlightTotal++;
      const p = this.execute({ ...run, targetKey: key, dryRun, status: 'running' })
        .catch((err: unknown) => {
          this.deps.logger.error({ err, run: run.id, runbook: run.runbook }, 'runbook run failed to record');
        })
        .finally(() => {
          this.inFlightTotal--;
          const left = (this.inFlight.get(run.runbook) ?? 1) - 1;
          if (left > 0) this.inFlight.set(run.runbook, left);
          else this.inFlight.delete(run.runbook);
          // A slot is free: the next queued run need not wait for the scheduler's tick.
          if (!this.shutdown.signal.aborted) queueMicrotask(() => this.pollInBackground());
        });
      this.running.add(p);
      void p.finally(() => this.running.delete(p));
    }
    return started;
  }

  /**
   * A run executing here that another instance recorded as ended (it found the run's lease run out: this
   * instance was cut off from the database for longer than the lease) must not act any more: it is stopped.
   */
  private async stopTakenOver(): Promise<void> {
    for (const [id, stop] of this.executing) {
      if ((await this.deps.store.getRunbookRun(id))?.status === 'done') stop.abort();
    }
  }

  /** Runs left 'running' by a stop or crash (of this process or another instance): recorded as interrupted, and a human is paged. */
  private async recoverInterrupted(): Promise<void> {
    for (const run of await this.deps.store.orphanedRunbookRuns()) {
      await this.finish(run, 'interrupted', `runbook ${run.runbook} was interrupted by a restart of Vigil; it is not repeated automatically`, null);
    }
  }

  private async execute(run: RunbookRunRow): Promise<void> {
    const runbook = this.deps.runbooks.current.runbooks.get(run.runbook);
    if (!runbook) {
      await this.finish(run, 'refused', `runbook ${run.runbook} is no longer loaded; nothing was run`, null);
      return;
    }
    const context = toAlertContext(run);
    const dryRun = run.dryRun;
    const admission = await this.guards.admit(runbook, context, { dryRun, manual: run.trigger === 'manual', runId: run.id });
    if (!admission.ok) {
      this.deps.onOutcome?.(run.runbook, `refused_${admission.guard}`);
      await this.finish(run, 'refused', admission.reason, null, admission.guard);
      return;
    }
    try {
      const startedAt = this.deps.clock.now();
      await this.deps.store.write(async (tx) => {
        if (dryRun) await tx.startRunbookRun(run.id, startedAt); // a real run's start was written at admission
        await this.event(tx, run, 'runbook_started', `runbook ${run.runbook} started${dryRun ? ' (dry run)' : ''}${run.requestedBy ? ` at ${run.requestedBy}'s request` : ''}`, {
          outcome: null,
          dryRun,
        });
      });
      const stop = new AbortController();
      this.executing.set(run.id, stop);
      const result = await runRunbook(runbook, context, {
        runId: run.id,
        clock: this.deps.clock,
        sleep: this.deps.sleep ?? realSleep,
        dryRun,
        prometheusUrl: this.deps.config.prometheusUrl,
        outputLimit: this.deps.config.outputLimit,
        signal: AbortSignal.any([this.shutdown.signal, stop.signal]),
        onStep: (step) => this.deps.store.write((tx) => this.event(tx, run, 'runbook_step', stepMessage(run.runbook, step), { step, dryRun })),
        notify: async (message) => {
          await this.deps.store.write((tx) => this.event(tx, run, 'runbook_notify', `runbook ${run.runbook}: ${message}`, { dryRun }));
          if (run.incidentId !== null && !dryRun) await this.deps.notify?.(run.incidentId, run.runbook, message);
        },
        awaitApproval: (request) => this.awaitApproval(run, request),
      });
      this.deps.onOutcome?.(run.runbook, result.outcome);
      await this.finish(run, result.outcome, summaryOf(result), result);
    } finally {
      this.executing.delete(run.id);
      admission.release();
    }
  }

  /** Records the outcome; when a human must look, a held page goes out now (or the next tier hears). */
  private async finish(run: RunbookRunRow, outcome: string, summary: string | null, result: RunResult | null, guard?: string): Promise<void> {
    const now = this.deps.clock.now();
    const recorded = await this.deps.store.write(async (tx) => {
      // Another instance recorded it first (it found this run orphaned): it also told the humans.
      if (!(await tx.finishRunbookRun(run.id, outcome, summary, now))) return false;
      const kind = outcome === 'refused' ? 'runbook_refused' : 'runbook_finished';
      const message = outcome === 'refused' || outcome === 'interrupted' ? summary! : `runbook ${run.runbook} ${outcomeWords(outcome)}${summary ? `: ${summary}` : ''}`;
      await this.event(tx, run, kind, message, { outcome, dryRun: result?.dryRun ?? run.dryRun, ...(guard ? { guard } : {}) });
      return true;
    });
    if (!recorded || run.incidentId === null || !this.engine) return;
    const incident = await this.deps.store.getIncident(run.incidentId);
    if (!incident || incident.status === 'resolved') return;
    // Refusals and interruptions are already phrased whole; other outcomes name the step that failed.
    const why = outcome === 'refused' || outcome === 'interrupted' ? summary! : `runbook ${run.runbook} ${outcomeWords(outcome)}${summary ? ` (${summary})` : ''}`;
    // A held page waits for a fix; a run that cannot fix anything (a dry run included) sends it now.
    if (incident.holdUntil !== null) {
      if (needsHuman.has(outcome) || outcome === 'dry_run') await this.engine.releaseHold(incident.id, why);
    } else if (outcome === 'escalate' && incident.pagedAt !== null && incident.status === 'triggered') {
      // The runbook asks for a human and the people paged have not answered: the next tier hears now.
      await this.engine.escalateNow(incident.id, { by: `runbook ${run.runbook}`, source: 'runbooks' });
    } else if (needsHuman.has(outcome) && outcome !== 'refused' && incident.pagedAt !== null && run.trigger === 'rule') {
      // The people paged hear that the fix did not work (a refusal is only on the timeline: nothing was tried).
      await this.deps.notify?.(incident.id, run.runbook, why);
    }
  }

  private async event(tx: StoreTx, run: RunbookRunRow, kind: string, message: string, data: Record<string, unknown>): Promise<void> {
    if (run.incidentId === null) return;
    await tx.addEvent({
      incidentId: run.incidentId,
      at: this.deps.clock.now(),
      kind,
      actor: run.requestedBy ?? 'vigil',
      source: 'runbooks',
      message,
      data: { runbook: run.runbook, runId: run.id, ...data },
    });
  }

  // ---- approvals

  private async awaitApproval(run: RunbookRunRow, request: ApprovalRequest): Promise<ApprovalDecision> {
    const now = this.deps.clock.now();
    const pending: ApprovalRow = {
      runId: run.id,
      step: request.step,
      prompt: request.prompt,
      status: 'pending',
      decidedBy: null,
      comment: null,
      createdAt: now,
      expiresAt: now + request.timeout,
      decidedAt: null,
    };
    await this.deps.store.write(async (tx) => {
      await tx.upsertApproval(pending);
      await this.event(tx, run, 'runbook_approval', `runbook ${run.runbook} waits for approval: ${request.prompt} (POST /api/v1/runbooks/runs/${run.id}/approve or /reject)`, {
        step: request.step,
      });
    });
    if (run.incidentId !== null) {
      const code = run.id.slice(0, 8);
      await this.deps.notify?.(run.incidentId, run.runbook, `approval needed: ${request.prompt} Reply APPROVE ${code} or REJECT ${code} (run ${run.id})`, run.id);
    }
    return new Promise<ApprovalDecision>((resolve) => {
      this.approvals.set(run.id, { run, pending, resolve });
      request.signal.addEventListener(
        'abort',
        () => {
          if (!this.approvals.delete(run.id)) return;
          void this.deps.store
            .write((tx) => tx.upsertApproval({ ...pending, status: 'expired', decidedAt: this.deps.clock.now() }))
            .catch(() => undefined);
        },
        { once: true },
      );
    });
  }

  /**
   * A person approves or rejects the step a run waits on: by run id, or by its first 8 characters (an SMS
   * reply). 404 unknown run, 409 when nothing waits.
   */
  async decide(idOrCode: string, decision: ApprovalDecision): Promise<{ runId: string; step: string; approved: boolean }> {
    const runId = /^[0-9a-f]{8}$/.test(idOrCode) ? await this.runIdOfCode(idOrCode) : idOrCode;
    const waiting = this.approvals.get(runId);
    if (!waiting) return this.decideElsewhere(runId, decision);
    this.approvals.delete(runId);
    const { run, pending, resolve } = waiting;
    if (!(await this.recordDecision(run, pending, decision))) {
      // Decided through another instance a moment before: the run goes on with that decision.
      this.approvals.set(runId, waiting);
      await this.resumeDecidedElsewhere();
      throw conflict(`runbook run ${runId} is not waiting for an approval`, runReason('refusal.notWaiting', runId));
    }
    resolve(decision);
    return { runId, step: pending.step, approved: decision.approved };
  }

  /** The run an 8-character code names: one waiting here, else a running one anywhere, else the code itself (404). */
  private async runIdOfCode(code: string): Promise<string> {
    const here = [...this.approvals.keys()].find((k) => k.startsWith(code));
    if (here) return here;
    return (await this.deps.store.runningRunbookRuns()).find((r) => r.id.startsWith(code))?.id ?? code;
  }

  /**
   * The run waits on another instance (several share a PostgreSQL database): the decision is recorded here
   * and that instance is told, which resumes the run (resumeDecidedElsewhere).
   */
  private async decideElsewhere(runId: string, decision: ApprovalDecision): Promise<{ runId: string; step: string; approved: boolean }> {
    const run = await this.deps.store.getRunbookRun(runId);
    if (!run) throw notFound(`runbook run ${runId} not found`, runReason('refusal.noRun', runId));
    const pending = run.status === 'running' ? (await this.deps.store.approvalsOf(runId)).find((a) => a.status === 'pending') : undefined;
    if (!pending || !(await this.recordDecision(run, pending, decision))) throw conflict(`runbook run ${runId} is not waiting for an approval`, runReason('refusal.notWaiting', runId));
    await this.deps.store.tellPeers('approvals').catch((err: unknown) => this.deps.logger.warn({ err }, 'could not tell the other instances of an approval; they find it at their next poll'));
    return { runId, step: pending.step, approved: decision.approved };
  }

  /** Runs waiting here whose step was decided through another instance go on (a peer's notification, or a poll). */
  private async resumeDecidedElsewhere(): Promise<void> {
    for (const [runId, waiting] of [...this.approvals]) {
      const row = (await this.deps.store.approvalsOf(runId)).find((a) => a.step === waiting.pending.step);
      if (!row || (row.status !== 'approved' && row.status !== 'rejected')) continue;
      if (this.approvals.get(runId) !== waiting) continue;
      this.approvals.delete(runId);
      waiting.resolve({ approved: row.status === 'approved', by: row.decidedBy ?? 'unknown', ...(row.comment ? { comment: row.comment } : {}) });
    }
  }

  /** Records a decision with its timeline event; false when the step was decided already (through another instance). */
  private async recordDecision(run: RunbookRunRow, pending: ApprovalRow, decision: ApprovalDecision): Promise<boolean> {
    const now = this.deps.clock.now();
    return this.deps.store.write(async (tx) => {
      const decided = { ...pending, status: decision.approved ? ('approved' as const) : ('rejected' as const), decidedBy: decision.by, comment: decision.comment ?? null, decidedAt: now };
      if (!(await tx.upsertApproval(decided))) return false;
      await this.event(tx, { ...run, requestedBy: decision.by }, 'runbook_approval', `${decision.by} ${decision.approved ? 'approved' : 'rejected'} step ${pending.step} of ${run.runbook}${decision.comment ? `: ${decision.comment}` : ''}`, {
        step: pending.step,
        approved: decision.approved,
      });
      return true;
    });
  }

  /** Applies a reloaded config's kill switch and limits. */
  updateConfig(config: RunbooksConfig): void {
    this.guards.update({ enabled: config.enabled, maxConcurrentRuns: config.maxConcurrentRuns });
  }

  /** Runs in progress now. */
  active(runbook?: string): number {
    return this.guards.active(runbook);
  }

  /** Stops: running steps are cancelled (their runs end as aborted) and recorded before the store closes. */
  async close(): Promise<void> {
    this.shutdown.abort();
    await Promise.allSettled([...this.running]);
  }
}

function toAlertContext(run: RunbookRunRow): AlertContext {
  const { incident } = run.context;
  return { labels: run.context.labels, annotations: run.context.annotations, incident: { id: String(incident.id), title: incident.title, severity: incident.severity } };
}

function outcomeWords(outcome: string): string {
  return (
    {
      succeeded: 'succeeded',
      failed: 'failed',
      escalate: 'failed and asks for a human',
      dry_run: 'finished its dry run',
      aborted: 'was stopped by a shutdown',
      interrupted: 'was interrupted',
    }[outcome] ?? outcome
  );
}

function stepMessage(runbook: string, step: StepResult): string {
  const head = `${runbook}: step ${step.name} (${step.type}) ${step.status.replace('_', ' ')}`;
  const detail = step.error ?? step.output.split('\n')[0] ?? '';
  return detail ? `${head}: ${detail.slice(0, 300)}` : head;
}

/** The first step that did not succeed, in words; null when all did. */
function summaryOf(result: RunResult): string | null {
  const bad = result.steps.find((s) => !s.ok && s.status !== 'skipped');
  if (!bad) return result.outcome === 'dry_run' ? `${result.steps.length} steps recorded, nothing done` : null;
  return `step ${bad.name} ${bad.status.replace('_', ' ')}${bad.error ? `: ${bad.error.slice(0, 300)}` : ''}`;
}

/** Why a decision was refused, in words any language can give, naming the run by its 8-character code. */
function runReason(key: 'refusal.noRun' | 'refusal.notWaiting', runId: string): Reason {
  return { key, values: { code: runId.slice(0, 8) } };
}
