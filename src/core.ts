import type { Registry } from 'prom-client';
import type { Clock } from './core/clock.js';
import type { Logger } from './core/logger.js';
import { createCoreMetrics, type CoreMetrics } from './core/metrics.js';
import { VigilError } from './core/errors.js';
import type { Config } from './config/schema.js';
import { IncidentEngine } from './incidents/engine.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/types.js';
import { Scheduler } from './scheduler/scheduler.js';
import { expireAlertsJob, flushReceiptsJob, incidentTimersJob, suppressionJob } from './scheduler/jobs/alert-jobs.js';
import { LiveRules } from './rules/live-rules.js';
import { createNotifier, type Notifier } from './notify/notifier.js';
import { incidentActions } from './notify/actions.js';
import type { IncidentActions } from './notify/types.js';
import { LiveRunbooks } from './runbooks/live-runbooks.js';
import { RunbookRunner } from './runbooks/runner.js';
import type { Sleep } from './runbooks/timing.js';
import { runbooksJob } from './scheduler/jobs/runbook-jobs.js';
import { reportJobs } from './scheduler/jobs/digest-jobs.js';
import { defaultReportQueue, ReportQueue } from './reports/report-queue.js';

/** The stages that own state: store, incident engine and scheduler. Exactly one process runs them. */
export interface Core {
  store: Store;
  engine: IncidentEngine;
  scheduler: Scheduler;
  metrics: CoreMetrics;
  rules: LiveRules;
  runbooks: LiveRunbooks;
  runner: RunbookRunner;
  notifier: Notifier;
  /** What inbound callbacks (phone, SMS, chat, email links) may do. */
  actions: IncidentActions;
  /** Report computations of this process (summary API and digests): one at a time, a few waiting. */
  reports: ReportQueue;
  /** Stops the scheduler, writes batched receipts, finishes queued commits and closes the store. */
  close(): Promise<void>;
}

function createStore(config: Config, metrics: CoreMetrics, logger: Logger): Store {
  if (/^postgres(ql)?:\/\//i.test(config.store.path)) {
    throw new VigilError('bad_request', 'PostgreSQL storage is not available in this release; use a SQLite path for VIGIL_DB');
  }
  return new SqliteStore({
    path: config.store.path,
    synchronous: config.store.synchronous,
    maxPendingWrites: config.store.maxPendingWrites,
    busyTimeoutMs: config.store.busyTimeout,
    onCommit: (seconds, writes) => {
      metrics.storeCommitDuration.observe(seconds);
      metrics.storeCommitWrites.observe(writes);
    },
    onEffectError: (err) => logger.error({ err }, 'after-commit update failed'),
  });
}

export function createCore(config: Config, deps: { clock: Clock; logger: Logger; registry: Registry; sleep?: Sleep }): Core {
  const holder: { store?: Store } = {};
  const metrics = createCoreMetrics(deps.registry, () => holder.store);
  const rules = new LiveRules(config.rules.dir, deps.logger, metrics, process.env, () => void engine.loadMirrors());
  const store = createStore(config, metrics, deps.logger);
  holder.store = store;
  const notifier = createNotifier(config, { store, clock: deps.clock, logger: deps.logger, metrics, rules: () => rules.current });
  const runbookLists = { allowHosts: config.runbooks.allowHosts, allowCommands: config.runbooks.allowCommands };
  const runbooks = new LiveRunbooks(config.runbooks.dir, deps.logger, runbookLists, (ok) => metrics.runbooksLastReloadSuccessful.set(ok ? 1 : 0));
  const missing = rules.current.rules.flatMap((r) => (r.set.runbooks ?? []).filter((b) => !runbooks.current.runbooks.has(b)).map((b) => `${r.name} → ${b}`));
  if (missing.length > 0) deps.logger.warn({ missing }, 'rules name runbooks that are not loaded; their incidents page without a fix attempt');
  const runner = new RunbookRunner({
    store,
    clock: deps.clock,
    logger: deps.logger,
    runbooks,
    config: config.runbooks,
    sleep: deps.sleep,
    onOutcome: (runbook, outcome) => metrics.runbookRuns.inc({ runbook, outcome }),
    notify: (incidentId, runbook, message, approvalRunId) => notifier.message(incidentId, `runbook ${runbook}`, message, approvalRunId),
  });
  const engine = new IncidentEngine(store, deps.clock, {
    groupBy: config.incidents.groupBy,
    flapWindowMs: config.incidents.flapWindow,
    rules: () => rules.current,
    planner: notifier.planner,
    onOutbox: () => notifier.dispatcher.wake(),
    onSlaBreach: (priority, kind) => metrics.slaBreaches.inc({ priority, kind }),
    remediation: runner,
  });
  runner.attach(engine);
  const reports = new ReportQueue(defaultReportQueue, {
    step: (seconds) => metrics.reportSteps.observe(seconds),
    finished: (seconds) => metrics.reportSeconds.observe(seconds),
  });
  const scheduler = new Scheduler(
    [
      flushReceiptsJob(engine),
      expireAlertsJob(engine),
      suppressionJob(engine),
      incidentTimersJob(engine),
      runbooksJob(runner),
      // ---- reports: manager digests on their schedules, review drafts of resolved P1/P2 incidents
      ...reportJobs(config, { store, rules, notifier, logger: deps.logger, metrics, reports }),
    ],
    deps.clock,
    config.scheduler.interval,
    deps.logger,
    metrics,
  );
  return {
    store,
    engine,
    scheduler,
    metrics,
    rules,
    runbooks,
    runner,
    notifier,
    actions: incidentActions(engine, store, () => rules.current, runner),
    reports,
    async close() {
      rules.close();
      runbooks.close();
      await scheduler.stop();
      await runner.close();
      await notifier.close();
      await engine.flushReceipts();
      await store.close();
    },
  };
}
