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
import { expireAlertsJob, flushReceiptsJob } from './scheduler/jobs/alert-jobs.js';

/** The stages that own state: store, incident engine and scheduler. Exactly one process runs them. */
export interface Core {
  store: Store;
  engine: IncidentEngine;
  scheduler: Scheduler;
  metrics: CoreMetrics;
  /** Stops the scheduler, writes batched receipts, finishes queued commits and closes the store. */
  close(): Promise<void>;
}

function createStore(config: Config, metrics: CoreMetrics): Store {
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
  });
}

export function createCore(config: Config, deps: { clock: Clock; logger: Logger; registry: Registry }): Core {
  const holder: { store?: Store } = {};
  const metrics = createCoreMetrics(deps.registry, () => holder.store);
  const store = createStore(config, metrics);
  holder.store = store;
  const engine = new IncidentEngine(store, deps.clock, {
    groupBy: config.incidents.groupBy,
    flapWindowMs: config.incidents.flapWindow,
  });
  const scheduler = new Scheduler(
    [flushReceiptsJob(engine), expireAlertsJob(engine)],
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
    async close() {
      await scheduler.stop();
      await engine.flushReceipts();
      await store.close();
    },
  };
}
