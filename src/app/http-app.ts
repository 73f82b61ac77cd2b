import type { RequestListener } from '../http/server.js';
import { alertmanagerRoutes } from '../api/alertmanager/routes.js';
import { openApiRoutes } from './api-operations.js';
import { packageVersion } from './version.js';
import { readerPreferences } from '../notify/reader-locale.js';
import type { StoredOverrides } from '../overrides/stored-overrides.js';
import express from 'express';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../observe/logger.js';
import type { HttpMetrics } from '../observe/metrics.js';
import { VigilError } from '../errors/errors.js';
import { ConfigError, problemParts } from '../files/yaml-file.js';
import type { Config } from '../config/schema.js';
import type { EnginePort } from '../incidents/engine.js';
import type { StoreReader } from '../store/types.js';
import { ingestRoutes } from '../ingest/handlers.js';
import { ingestDispatcher } from '../http/ingest-dispatch.js';
import { apiRoutes } from '../api/routes.js';
import { silenceRoutes } from '../api/silences.js';
import { notificationRoutes } from '../api/notifications.js';
import { oncallRoutes } from '../api/oncall.js';
import { reportRoutes } from '../api/reports.js';
import type { ReportQueue } from '../reports/report-queue.js';
import type { RuleSet } from '../rules/ruleset.js';
import { twilioCallbacks } from '../notify/inbound/twilio.js';
import { slackCallbacks } from '../notify/inbound/slack.js';
import { vonageCallbacks } from '../notify/inbound/vonage.js';
import { runbookRoutes, type RunbookApiDeps } from '../api/runbooks.js';
import { linkActions } from '../notify/inbound/link-actions.js';
import type { IncidentActions } from '../notify/types.js';
import type { LinkSigner } from '../notify/link-signer.js';
import type { DeliveryHealth } from '../notify/delivery-health.js';
import { errorHandler, jsonBody, requestLogging } from '../http/app.js';
import { requireToken } from '../http/auth.js';
import { route } from '../http/operation.js';
import { serviceOperations, type Readiness, type ReloadAnswer } from '../api/service-operations.js';
import type { Authenticator } from '../access/authenticator.js';
import type { ChangeFeed } from '../live/change-feed.js';
import { eventRoutes } from '../api/events.js';
import { heartbeatPingRoutes, heartbeatRoutes } from '../api/heartbeats.js';
import type { HeartbeatMonitors } from '../heartbeats/monitors.js';
import { consoleRoutes } from '../console/serve.js';
import { requirePrincipal, sessionRoutes } from '../access/routes.js';
import type { Store } from '../store/types.js';

export interface HttpDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  engine: EnginePort;
  store: StoreReader;
  metrics: HttpMetrics;
  /** The Prometheus exposition of every process's metrics. */
  metricsText(): Promise<{ contentType: string; text: string }>;
  /** Reloads rules/; throws ConfigError (the previous rules stay) when a file is broken. */
  reloadRules(): { files: string[]; rules: number; runbooks?: number };
  /** Runbooks loaded, their runner, and the runbooks config (GET /api/v1/runbooks, runs by hand, approvals). */
  runbooks: RunbookApiDeps;
  /** The rule set in force (people, teams, schedules). */
  rules(): RuleSet;
  /** Who is asking: API token, personal tokens, console sessions, trusted proxy. */
  authenticator: Authenticator;
  /** Live updates for the console (GET /api/v1/events). */
  feed: ChangeFeed;
  /** Session writes (sign-in, sign-out). */
  sessions: Pick<Store, 'write'>;
  /** Which paging providers are failing now (reported by /readyz without failing it: Vigil still takes alerts). */
  deliveryHealth(): DeliveryHealth;
  /** Inbound callbacks from people's devices: phone keypress, SMS reply, chat button, email link. */
  callbacks: { actions: IncidentActions; signer: LinkSigner; publicUrl: string };
  /** Report computations (the summary API and the digests share it). */
  reports: ReportQueue;
  /** On-call overrides made through the API (deps.rules has them laid over the schedules). */
  overrides: StoredOverrides;
  /** Heartbeat monitors (pings and the API), and why alerts with given labels page nobody now. */
  heartbeats: { monitors: HeartbeatMonitors; mutedBy(labels: Record<string, string>): string | null };
}


/** Everything Vigil answers over HTTP: the ingest doors first, then the express app (API, health, metrics). */
export function createHttpHandler(deps: HttpDeps): RequestListener {
  const app = createApiApp(deps);
  const ingest = ingestDispatcher(ingestRoutes({ config: deps.config, clock: deps.clock, engine: deps.engine, metrics: deps.metrics }), {
    limitBytes: deps.config.server.bodyLimit,
    logger: deps.logger,
    observe: (source, path, status, seconds) => {
      deps.metrics.ingestDuration.observe({ source }, seconds);
      deps.metrics.ingestRequests.inc({ source, code: String(status) });
      deps.metrics.observeHttp('POST', path, status, seconds);
    },
  });
  return (req, res) => {
    if (!ingest(req, res)) app(req, res);
  };
}

function createApiApp(deps: HttpDeps): express.Express {
  const { config, logger, store, engine } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestLogging(logger, deps.metrics.observeHttp));
  const service = express.Router();
  route(service, serviceOperations.health, (_input, _req, res) => {
    res.json({ status: 'ok' });
  });
  route(service, serviceOperations.ready, async (_input, _req, res) => {
    try {
      await store.ping();
      const health = deps.deliveryHealth();
      const failing = health.providers.filter((p) => p.failingSince !== null);
      res.json({
        status: 'ready',
        delivery: health.status,
        ...(failing.length > 0
          ? {
              providers: Object.fromEntries(
                failing.map((p) => [p.provider, { failingSince: new Date(p.failingSince!).toISOString(), failures: p.failures, lastError: p.lastError }]),
              ),
            }
          : {}),
      } satisfies Readiness);
    } catch (err) {
      logger.warn({ err }, 'readiness check failed');
      res.status(503).setHeader('Retry-After', '5').json({ error: { code: 'unavailable', message: 'store is not reachable', details: null } });
    }
  });
  route(service, serviceOperations.metrics, async (_input, _req, res) => {
    const { contentType, text } = await deps.metricsText();
    res.setHeader('Content-Type', contentType);
    res.send(text);
  });
  app.use(service);
  // The web console: its pages and assets need no credentials (its API calls do).
  app.use(consoleRoutes());
  // Signed by their senders, not by the API token; each parses its own (form-encoded) body.
  const cb = deps.callbacks;
  app.use(twilioCallbacks({ authToken: config.notify.twilio.authToken, publicUrl: cb.publicUrl, actions: cb.actions, logger, locale: config.notify.locale }));
  app.use(slackCallbacks({ signingSecret: config.notify.slack.signingSecret, actions: cb.actions, logger, now: () => deps.clock.now() }));
  app.use(vonageCallbacks({ signatureSecret: config.notify.vonage.signatureSecret, publicUrl: cb.publicUrl, actions: cb.actions, logger, now: () => deps.clock.now() }));
  app.use(linkActions({ signer: cb.signer, actions: cb.actions, logger, localeOf: (person) => readerPreferences(deps.rules(), person, null, config.notify).locale }));
  // Pings from cron jobs and scripts: the ingest token or the monitor's secret key, any body up to 10 KB.
  app.use(heartbeatPingRoutes(deps.heartbeats.monitors, config.auth.ingestTokens, deps.clock));
  app.use(jsonBody(config.server.bodyLimit));
  const reload = express.Router();
  route(
    reload,
    serviceOperations.reload,
    (_input, _req, res) => {
      try {
        res.json({ status: 'reloaded', ...deps.reloadRules() } satisfies ReloadAnswer);
      } catch (err) {
        if (err instanceof ConfigError) {
          throw new VigilError('invalid_config', `reload failed; the previous files stay in force: ${err.problems[0]}`, err.problems.map(problemParts));
        }
        throw err;
      }
    },
    requireToken(config.auth.apiTokens, 'api'),
  );
  app.use(reload);
  app.use(
    sessionRoutes({
      authenticator: deps.authenticator,
      store: deps.sessions,
      clock: deps.clock,
      logger,
      sessionTtlMs: config.console.sessionTtl,
      signIn: { attempts: config.console.signInAttempts, windowMs: config.console.signInWindow },
      secureCookies: (config.server.publicUrl ?? '').startsWith('https:'),
    }),
  );
  app.use(openApiRoutes(config, packageVersion()));
  app.use('/api/v1', requirePrincipal(deps.authenticator));
  // Alertmanager's API v2 (read and silences) for amtool and Grafana; POST /api/v2/alerts is an ingest door above.
  app.use('/api/v2', requirePrincipal(deps.authenticator));
  app.use(alertmanagerRoutes({ store, engine, clock: deps.clock, rules: deps.rules, version: packageVersion() }));
  app.use(apiRoutes(store, engine));
  app.use(eventRoutes(deps.feed));
  app.use(oncallRoutes(deps.rules, deps.clock, deps.overrides));
  app.use(silenceRoutes(store, engine, deps.clock));
  app.use(notificationRoutes(store));
  // ---- reports
  app.use(reportRoutes({ store, clock: deps.clock, digests: config.digests, publicUrl: config.server.publicUrl, queue: deps.reports }));
  app.use(runbookRoutes(deps.store, deps.runbooks));
  app.use(
    heartbeatRoutes({
      store,
      monitors: deps.heartbeats.monitors,
      mutedBy: deps.heartbeats.mutedBy,
      runbookNames: () => new Set(deps.runbooks.live.current.runbooks.keys()),
      publicUrl: deps.callbacks.publicUrl,
    }),
  );
  app.use((req, _res, next) => next(new VigilError('not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger, config.server.bodyLimit));
  return app;
}

