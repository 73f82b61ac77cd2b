import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger, type Logger } from '../observe/logger.js';
import { createVigil } from '../app/vigil.js';
import { sampleCurl } from './sample-alert.js';
import { channelModes } from '../notify/notifier.js';
import { robotAddressProblems } from '../notify/channels/chat-router.js';
import { providerProblems } from '../notify/channels/phone/provider-problems.js';
import { storeLabel } from '../store/open-store.js';

/** `vigil serve`: runs until SIGTERM/SIGINT, then drains in-flight requests and commits. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  // A closed stdout (a pager quit, a pipe gone) must not stop Vigil; anything else on it is still fatal.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const logger = createLogger(config.log.level, undefined, config.log.format);
  const vigil = createVigil(config, { logger, startScheduler: true });
  // PostgreSQL may still be starting: Vigil listens (readyz 503) and waits for it; a database it must never
  // serve (a newer schema, another instance serving) ends the process.
  vigil.store.opened().catch((err: Error) => {
    logger.fatal({ err: err.message }, 'cannot serve this database');
    process.exit(1);
  });
  const port = await vigil.listen();
  announce({ ...config, server: { ...config.server, port } }, logger);
  logger.info({ channels: channelModes(vigil.notifier.channels) }, 'notification channels (log: no credentials, messages are only logged)');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests and commits');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 20s; exiting');
      process.exit(1);
    }, 20_000);
    force.unref();
    try {
      await vigil.close();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  // Rules and runbooks always reload together, so one edit may rename a runbook and the rules naming it.
  const reload = (reason: string) => {
    try {
      vigil.reload(reason);
    } catch {
      // Each side logs its own problems; whatever fails keeps its previous files in force.
    }
  };
  for (const problem of [...robotAddressProblems(vigil.rules.current, config.notify.robots), ...providerProblems(config.notify)]) logger.warn(problem);
  if (config.rules.watch) vigil.rules.watch(() => reload('rules file change'));
  if (config.runbooks.watch) vigil.runbooks.watch(() => reload('runbooks file change'));
  process.on('SIGHUP', () => reload('SIGHUP'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Startup report: where to send alerts, what is open, and a curl to try. */
function announce(config: Config, logger: Logger): void {
  const port = config.server.port;
  const base = config.server.publicUrl ?? `http://localhost:${port}`;
  logger.info(
    {
      port,
      config: config.source ?? '(built-in defaults)',
      store: storeLabel(config.store),
      rules: config.rules.dir,
      runbooks: config.runbooks.dir,
      synchronous: config.store.synchronous,
    },
    'Vigil is listening',
  );
  for (const [kind, dir] of [['rules', config.rules.dir], ['runbooks', config.runbooks.dir]] as const) {
    if (config.shipped?.[kind]) logger.warn({ dir }, `no ${kind}.dir configured and no ./${kind} in the working directory: using the ${kind} shipped with Vigil (examples to replace)`);
  }
  if (config.auth.ingestTokens.length === 0) logger.warn('VIGIL_INGEST_TOKEN is not set: alert ingest is open to anyone who can reach this port');
  if (config.auth.apiTokens.length === 0) logger.warn('VIGIL_API_TOKEN is not set: the incident API is open to anyone who can reach this port');
  if (config.store.url && !config.notify.linkSecret) {
    logger.warn('notify.linkSecret is not set: each instance signs one-click links with its own key, so a link fails on any other instance (and after a restart); give every instance the same secret');
  }
  if (config.ingest.pagerduty.routingKeys.length === 0) {
    logger.warn('no PagerDuty routing keys configured: /v2/enqueue accepts any routing_key (service "default")');
  }
  // The first of the comma-separated tokens, as the shell expands it: the banner must never print a token itself.
  const token = config.auth.ingestTokens.length > 0 ? '${VIGIL_INGEST_TOKEN%%,*}' : undefined;
  process.stdout.write(
    [
      '',
      `Vigil is ready on ${base}`,
      `  Console:               ${base}/${config.auth.apiTokens.length > 0 ? '  (sign in with VIGIL_API_TOKEN, or a token from `vigil token create --person ID`)' : '  (open: no VIGIL_API_TOKEN, anyone who can reach it can act)'}`,
      `  Alertmanager webhook:  ${base}/api/v1/alerts/alertmanager`,
      `  Prometheus (API v2):   ${base}/api/v2/alerts`,
      `  Grafana webhook:       ${base}/api/v1/alerts/grafana`,
      `  PagerDuty Events v2:   ${base}/v2/enqueue`,
      `  Incidents:             ${base}/api/v1/incidents`,
      '',
      'Send a test alert:',
      `  ${sampleCurl(base, token)}`,
      '',
    ].join('\n'),
  );
}
