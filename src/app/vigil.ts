import { systemClock, type Clock } from '../time/clock.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { createHttpMetrics, createRegistry, type CoreMetrics, type HttpMetrics } from '../observe/metrics.js';
import type { Config } from '../config/schema.js';
import type { IncidentEngine } from '../incidents/engine.js';
import type { Store } from '../store/types.js';
import type { Scheduler } from '../jobs/scheduler.js';
import { createCore } from './stages.js';
import type { LiveRules } from '../rules/live-rules.js';
import type { Notifier } from '../notify/notifier.js';
import type { LiveRunbooks } from '../runbooks/live-runbooks.js';
import type { RunbookRunner } from '../runbooks/runner.js';
import type { ReportQueue } from '../reports/report-queue.js';
import type { Sleep } from '../runbooks/timing.js';
import { listen, type RequestListener } from '../http/server.js';
import { createHttpHandler } from './http-app.js';
import { Authenticator } from '../access/authenticator.js';
import { ChangeFeed } from '../live/change-feed.js';

export interface VigilOptions {
  clock?: Clock;
  logger?: Logger;
  /** Start the scheduler's own timer (tests drive ticks by hand instead). */
  startScheduler?: boolean;
  /** How runbooks wait (wait steps, check retries, approval timeouts); tests move a manual clock instead. */
  sleep?: Sleep;
}

export interface Vigil {
  config: Config;
  /** The node:http request listener (ingest doors plus the express API app); listen() serves the one set then. */
  handler: RequestListener;
  store: Store;
  engine: IncidentEngine;
  scheduler: Scheduler;
  rules: LiveRules;
  runbooks: LiveRunbooks;
  runner: RunbookRunner;
  notifier: Notifier;
  metrics: CoreMetrics & HttpMetrics;
  /** Report computations (summary API and digests). */
  reports: ReportQueue;
  logger: Logger;
  /** Live updates to the console (tests drain it instead of waiting for its batch window). */
  feed: ChangeFeed;
  /** Reloads rules and runbooks as one change; throws ConfigError (what failed keeps its previous files). */
  reload(reason: string): void;
  /** Listens on the configured host and port (0 picks a free port); resolves to the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Graceful stop: refuse new connections, finish in-flight requests and commits, close the store. */
  close(): Promise<void>;
}

/** Vigil in one process: the core stages and the HTTP server together (tests, `server.workers: 0`). */
export function createVigil(config: Config, options: VigilOptions = {}): Vigil {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level, undefined, config.log.format);
  const registry = createRegistry();
  const core = createCore(config, { clock, logger, registry, sleep: options.sleep });
  const httpMetrics = createHttpMetrics(registry);
  const authenticator = new Authenticator({
    apiTokens: config.auth.apiTokens,
    store: core.store,
    rules: () => core.rules.current,
    clock,
    authProxy: config.console.authProxy,
  });
  const feed = new ChangeFeed({
    store: core.store,
    batchMs: 100,
    keep: 5000,
    now: () => clock.now(),
    onError: (err) => logger.error({ err }, 'live update failed'),
  });
  const handler = createHttpHandler({
    feed,
    authenticator,
    sessions: core.store,
    config,
    clock,
    logger,
    engine: core.engine,
    store: core.store,
    metrics: httpMetrics,
    metricsText: async () => ({ contentType: registry.contentType, text: await registry.metrics() }),
    deliveryHealth: () => core.notifier.dispatcher.deliveryHealth(),
    callbacks: { actions: core.actions, signer: core.notifier.signer, publicUrl: core.notifier.publicUrl },
    rules: core.effectiveRules,
    overrides: core.overrides,
    reloadRules: () => {
      const { rules, runbooks } = core.reload('POST /-/reload');
      return { files: [...rules.files, ...runbooks.files], rules: rules.rules.length, runbooks: runbooks.runbooks.size };
    },
    runbooks: { live: core.runbooks, runner: core.runner, config: config.runbooks },
    reports: core.reports,
    heartbeats: { monitors: core.heartbeats, mutedBy: (labels) => core.engine.mutedBy(labels) },
  });
  if (options.startScheduler) {
    core.scheduler.start();
    core.notifier.dispatcher.start(config.scheduler.interval);
  }
  let closeServer: (() => Promise<void>) | null = null;

  const vigil: Vigil = {
    config,
    handler,
    store: core.store,
    engine: core.engine,
    scheduler: core.scheduler,
    rules: core.rules,
    runbooks: core.runbooks,
    runner: core.runner,
    notifier: core.notifier,
    metrics: { ...core.metrics, ...httpMetrics },
    reports: core.reports,
    logger,
    feed,
    reload: (reason) => void core.reload(reason),
    async listen(port = config.server.port, host = config.server.host) {
      const bound = await listen(vigil.handler, port, host, { headersTimeoutMs: config.server.headersTimeout });
      closeServer = bound.close;
      return bound.port;
    },
    async close() {
      // Open event streams end first, or the server would wait for them.
      feed.close();
      if (closeServer) await closeServer();
      await core.close();
    },
  };
  return vigil;
}
