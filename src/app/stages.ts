import type { Registry } from 'prom-client';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../observe/logger.js';
import { createCoreMetrics, type CoreMetrics } from '../observe/metrics.js';
import type { Config } from '../config/schema.js';
import { IncidentEngine, type EngineOptions } from '../incidents/engine.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { Scheduler } from '../jobs/scheduler.js';
import { expireAlertsJob, flushReceiptsJob, incidentTimersJob, suppressionJob } from '../jobs/alert-jobs.js';
import { LiveRules } from '../rules/live-rules.js';
import { StoredOverrides } from '../overrides/stored-overrides.js';
import { runbookProblems, type RuleSet } from '../rules/ruleset.js';
import { ConfigError } from '../files/yaml-file.js';
import { createNotifier, type Notifier } from '../notify/notifier.js';
import { incidentActions } from './incident-actions.js';
import type { IncidentActions } from '../notify/types.js';
import { LiveRunbooks } from '../runbooks/live-runbooks.js';
import type { RunbookSet } from '../runbooks/loader.js';
import { RunbookRunner } from '../runbooks/runner.js';
import type { Sleep } from '../runbooks/timing.js';
import { runbooksJob } from '../jobs/runbook-jobs.js';
import { oncePerCluster } from '../jobs/once-per-cluster.js';
import { reportJobs } from '../jobs/digest-jobs.js';
import { heartbeatsJob } from '../jobs/heartbeat-jobs.js';
import { HeartbeatMonitors } from '../heartbeats/monitors.js';
import { defaultReportQueue, ReportQueue } from '../reports/report-queue.js';

/**
 * The stages that own state: store, incident engine and scheduler. On SQLite one process runs them; on
 * PostgreSQL every instance does, sharing the work through the store's claims (store/postgres/).
 */
export interface Core {
  store: Store;
  engine: IncidentEngine;
  scheduler: Scheduler;
  metrics: CoreMetrics;
  rules: LiveRules;
  /** On-call overrides made through the API and CLI, and the rules with them laid over the schedules. */
  overrides: StoredOverrides;
  effectiveRules: () => RuleSet;
  runbooks: LiveRunbooks;
  runner: RunbookRunner;
  notifier: Notifier;
  /** What inbound callbacks (phone, SMS, chat, email links) may do. */
  actions: IncidentActions;
  /** Heartbeat monitors: pings, the sweep, definitions from rules files and the API. */
  heartbeats: HeartbeatMonitors;
  /** Reloads rules and runbooks as one change; throws ConfigError with the problems of both (see reloadTogether). */
  reload(reason: string): { rules: RuleSet; runbooks: RunbookSet };
  /** Report computations of this process (summary API and digests): one at a time, a few waiting. */
  reports: ReportQueue;
  /** Stops the scheduler, writes batched receipts, finishes queued commits and closes the store. */
  close(): Promise<void>;
}

const runbookNames = (set: RunbookSet): ReadonlySet<string> => new Set(set.runbooks.keys());

/**
 * Reloads rules and runbooks as one change (SIGHUP, POST /-/reload, a file change in either directory): the
 * rules are checked against the runbooks on disk, then the runbooks against the rules then in force. So a
 * change that renames a runbook and the rules naming it applies as a whole, and whatever fails keeps its
 * previous files. Throws ConfigError with every problem of both.
 */
function reloadTogether(rules: LiveRules, runbooks: LiveRunbooks, reason: string): { rules: RuleSet; runbooks: RunbookSet } {
  let next: RunbookSet | undefined;
  try {
    next = runbooks.read();
  } catch {
    // reported by the runbooks reload below
  }
  const problems: string[] = [];
  const attempt = (reload: () => void) => {
    try {
      reload();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  };
  attempt(() => rules.reload(reason, runbookNames(next ?? runbooks.current)));
  attempt(() => runbooks.reload(reason, undefined, next));
  if (problems.length > 0) throw new ConfigError(problems.join('\n'), problems);
  return { rules: rules.current, runbooks: runbooks.current };
}

function createStore(config: Config, metrics: CoreMetrics, logger: Logger): Store {
  return openStore(config.store, 'serve', {
    onCommit: (seconds, writes) => {
      metrics.storeCommitDuration.observe(seconds);
      metrics.storeCommitWrites.observe(writes);
    },
    onEffectError: (err) => logger.error({ err }, 'after-commit update failed'),
    // An older Vigil took the database while this one was away from it: stop serving (graceful shutdown).
    onFatal: (err) => {
      logger.fatal({ err: err.message }, 'cannot serve this database any more');
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    },
  });
}

export function createCore(config: Config, deps: { clock: Clock; logger: Logger; registry: Registry; sleep?: Sleep }): Core {
  const holder: { store?: Store } = {};
  const metrics = createCoreMetrics(deps.registry, () => holder.store);
  // Rules name runbooks: each side's reload is checked against the other's set in force, so no reload can leave
  // a rule naming a runbook that is not there (it would page "not loaded" at 3 a.m.). Runbooks load first.
  const live: { rules?: LiveRules } = {};
  const runbookLists = { allowHosts: config.runbooks.allowHosts, allowCommands: config.runbooks.allowCommands };
  const runbooks = new LiveRunbooks(
    config.runbooks.dir,
    deps.logger,
    runbookLists,
    (ok) => metrics.runbooksLastReloadSuccessful.set(ok ? 1 : 0),
    (books) => (live.rules ? runbookProblems(live.rules.current, books.runbooks) : []),
  );
  const afterRulesReload = () => {
    void engine.loadMirrors().catch((err: unknown) => deps.logger.warn({ err }, 'silences and firing alerts not read again after the reload'));
    void heartbeats.sync(rules.current.heartbeats).catch(() => {});
  };
  const rules = new LiveRules(config.rules.dir, deps.logger, metrics, process.env, afterRulesReload, () => runbookNames(runbooks.current));
  live.rules = rules;
  const store = createStore(config, metrics, deps.logger);
  holder.store = store;
  // The schedules as the rules files write them, with the overrides made through the API and CLI laid over them.
  const overrides = new StoredOverrides({ store, clock: deps.clock, logger: deps.logger });
  void overrides.refresh().catch((err: unknown) => deps.logger.warn({ err }, 'on-call overrides could not be read'));
  const effectiveRules = () => overrides.apply(rules.current);
  const notifier = createNotifier(config, { store, clock: deps.clock, logger: deps.logger, metrics, rules: effectiveRules });
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
  const engineOptions: EngineOptions = {
    groupBy: config.incidents.groupBy,
    flapWindowMs: config.incidents.flapWindow,
    rules: effectiveRules,
    planner: notifier.planner,
    onOutbox: () => notifier.dispatcher.wake(),
    onSlaBreach: (priority, kind) => metrics.slaBreaches.inc({ priority, kind }),
    onMirrorLoadFailure: (err) => deps.logger.warn({ err }, 'silences and firing alerts could not be read; trying again'),
    remediation: runner,
  };
  const heartbeats = new HeartbeatMonitors({ store, clock: deps.clock, logger: deps.logger, decide: (fn) => engine.decideAlerts(fn) });
  engineOptions.pings = heartbeats;
  const engine = new IncidentEngine(store, deps.clock, engineOptions, config.store.maxPendingWrites);
  void heartbeats.sync(rules.current.heartbeats).catch(() => {});
  runner.attach(engine);
  const reports = new ReportQueue(defaultReportQueue, {
    step: (seconds) => metrics.reportSteps.observe(seconds),
    finished: (seconds) => metrics.reportSeconds.observe(seconds),
  });
  const scheduler = new Scheduler(
    [
      flushReceiptsJob(engine),
      expireAlertsJob(engine),
      oncePerCluster(store, suppressionJob(engine)),
      incidentTimersJob(engine),
      oncePerCluster(store, heartbeatsJob(heartbeats)),
      runbooksJob(runner),
      // ---- reports: manager digests on their schedules, review drafts of resolved P1/P2 incidents
      ...reportJobs(config, { store, rules, notifier, logger: deps.logger, metrics, reports }).map((job) => oncePerCluster(store, job)),
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
    reload: (reason) => reloadTogether(rules, runbooks, reason),
    runner,
    notifier,
    actions: incidentActions(engine, store, effectiveRules, runner),
    overrides,
    effectiveRules,
    heartbeats,
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
