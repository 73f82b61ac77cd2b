import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { createMetrics, type Metrics } from './core/metrics.js';
import { VigilError } from './core/errors.js';
import type { Config } from './config/schema.js';
import { IncidentEngine } from './incidents/engine.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/types.js';
import { Scheduler } from './scheduler/scheduler.js';
import { expireAlertsJob, flushReceiptsJob } from './scheduler/jobs/alert-jobs.js';
import { errorHandler, jsonBody, requestLogging } from './http/app.js';
import { requireToken } from './http/auth.js';
import { ingestRoutes } from './ingest/routes.js';
import { apiRoutes } from './api/routes.js';

export interface VigilOptions {
  clock?: Clock;
  logger?: Logger;
  /** Start the scheduler's own timer (tests drive ticks by hand instead). */
  startScheduler?: boolean;
}

export interface Vigil {
  config: Config;
  app: express.Express;
  store: Store;
  engine: IncidentEngine;
  scheduler: Scheduler;
  metrics: Metrics;
  logger: Logger;
  /** Listens on the configured host and port (0 picks a free port); resolves to the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Graceful stop: refuse new connections, finish in-flight requests and commits, close the store. */
  close(): Promise<void>;
}

export function createStore(config: Config, metrics: Metrics): Store {
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

/** Wires the stages of the data flow together: ingest → engine → store, plus API, metrics and scheduler. */
export function createVigil(config: Config, options: VigilOptions = {}): Vigil {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const holder: { store?: Store } = {};
  const metrics = createMetrics(() => holder.store);
  const store = createStore(config, metrics);
  holder.store = store;
  const engine = new IncidentEngine(store, clock, {
    groupBy: config.incidents.groupBy,
    flapWindowMs: config.incidents.flapWindow,
  });
  const scheduler = new Scheduler([flushReceiptsJob(engine), expireAlertsJob(engine)], clock, config.scheduler.interval, logger, metrics);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestLogging(logger));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
      res.json({ status: 'ready' });
    } catch (err) {
      logger.warn({ err }, 'readiness check failed');
      res.status(503).setHeader('Retry-After', '5').json({ error: { code: 'unavailable', message: 'store is not reachable', details: null } });
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  app.use(jsonBody(config.server.bodyLimit));
  app.use(ingestRoutes({ config, clock, engine, metrics }));
  app.use('/api/v1', requireToken(config.auth.apiTokens, 'api'));
  app.use(apiRoutes(store, engine));
  app.use((req, _res, next) => next(new VigilError('not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger, config.server.bodyLimit));

  let server: Server | null = null;
  if (options.startScheduler) scheduler.start();

  return {
    config,
    app,
    store,
    engine,
    scheduler,
    metrics,
    logger,
    listen(port = config.server.port, host = config.server.host) {
      server = createServer(app);
      // Senders keep connections open between batches; keep-alive must outlast their idle timeouts.
      server.keepAliveTimeout = 65_000;
      server.headersTimeout = 66_000;
      server.requestTimeout = 30_000;
      const s = server;
      return new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => {
          s.off('error', reject);
          resolve((s.address() as AddressInfo).port);
        });
      });
    },
    async close() {
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
        });
      }
      await scheduler.stop();
      await engine.flushReceipts();
      await store.close();
    },
  };
}
