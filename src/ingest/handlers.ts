import type { Operation } from '../http/operation.js';
import { createHash } from 'node:crypto';
import type { Alert } from '../alerts/alert.js';
import type { Clock } from '../time/clock.js';
import { badRequest, type VigilError } from '../errors/errors.js';
import type { HttpMetrics } from '../observe/metrics.js';
import type { Config } from '../config/schema.js';
import type { EnginePort } from '../incidents/engine.js';
import { matchesAny, tokenCheck } from '../http/auth.js';
import type { IngestRequest, IngestRoute } from '../http/ingest-dispatch.js';
import { parseBody } from '../http/validation.js';
import { verifyGrafanaSignature } from './grafana-signature.js';
import { alertmanagerWebhookSchema, normalizeAlertmanager } from './sources/alertmanager.js';
import { grafanaWebhook, normalizeGrafana } from './sources/grafana.js';
import { checkPostable, normalizePrometheus, postableAlertsSchema } from './sources/prometheus.js';
import {
  newDedupKey,
  normalizePagerDutyTrigger,
  pagerDutyEvent,
  pagerDutyFingerprint,
  type RoutedService,
} from './sources/pagerduty.js';

export interface IngestDeps {
  config: Config;
  clock: Clock;
  engine: EnginePort;
  metrics: HttpMetrics;
}

/** The four doors alerts come in through. Each answers 2xx only after the durable commit. */
export function ingestRoutes({ config, clock, engine, metrics }: IngestDeps): Record<string, IngestRoute> {
  const checkToken = tokenCheck(config.auth.ingestTokens, 'ingest');
  const max = config.ingest.maxAlertsPerRequest;
  const alertmanagerWebhook = alertmanagerWebhookSchema(config.ingest.labelNames);
  const postableAlerts = postableAlertsSchema(config.ingest.labelNames);

  const checkCount = (n: number, field: string) => {
    if (n > max) throw badRequest(`${field}: at most ${max} alerts per request (got ${n})`, [{ field, problem: `more than ${max} alerts` }]);
  };
  const store = async (alerts: Alert[]) => {
    const result = await engine.ingest(alerts);
    let firing = 0;
    for (const a of alerts) if (a.status === 'firing') firing++;
    const source = alerts[0]?.source;
    if (source) {
      if (firing > 0) metrics.alertsReceived.inc({ source, status: 'firing' }, firing);
      if (alerts.length > firing) metrics.alertsReceived.inc({ source, status: 'resolved' }, alerts.length - firing);
    }
    return result;
  };

  const grafana = config.ingest.grafana;
  const routing = config.ingest.pagerduty.routingKeys;
  const keyHashes = routing.map((r) => createHash('sha256').update(r.key, 'utf8').digest());
  const route = (key: string): RoutedService => {
    if (routing.length === 0) return { service: 'default' };
    // Constant time over every configured key, so the answer's timing does not reveal a near match.
    let found: RoutedService | undefined;
    routing.forEach((r, i) => {
      if (matchesAny(key, [keyHashes[i]!])) found = { service: r.service, team: r.team };
    });
    if (!found) {
      throw badRequest('routing_key: unknown routing key', [{ field: 'routing_key', problem: 'not a configured routing key' }]);
    }
    return found;
  };

  return {
    '/api/v1/alerts/alertmanager': {
      source: 'alertmanager',
      async handle(req: IngestRequest) {
        checkToken(req.headers.authorization);
        const body = parseBody(alertmanagerWebhook, req.body, 'Alertmanager webhook');
        checkCount(body.alerts.length, 'alerts');
        const result = await store(normalizeAlertmanager(body, clock.now()));
        return { status: 202, body: { accepted: result.accepted } };
      },
    },

    '/api/v1/alerts/grafana': {
      source: 'grafana',
      async handle(req) {
        checkToken(req.headers.authorization);
        if (grafana.hmacSecret) {
          verifyGrafanaSignature(
            {
              secret: grafana.hmacSecret,
              signatureHeader: grafana.signatureHeader,
              timestampHeader: grafana.timestampHeader,
              replayWindowMs: grafana.replayWindow,
            },
            req.headers,
            req.rawBody,
            clock.now(),
          );
        }
        const body = parseBody(grafanaWebhook, req.body, 'Grafana webhook');
        checkCount(body.alerts.length, 'alerts');
        const result = await store(normalizeGrafana(body, clock.now()));
        return { status: 202, body: { accepted: result.accepted } };
      },
    },

    '/api/v2/alerts': {
      source: 'prometheus',
      async handle(req) {
        checkToken(req.headers.authorization);
        const body = parseBody(postableAlerts, req.body, 'Alertmanager API v2 alerts');
        checkCount(body.length, '(body)');
        const problems = checkPostable(body);
        if (problems.length > 0) throw badRequest(`${problems[0]!.field}: ${problems[0]!.problem}`, problems);
        const result = await store(normalizePrometheus(body, clock.now(), config.ingest.resolveTimeout));
        // Alertmanager answers 200 here; Prometheus only looks at the status.
        return { status: 200, body: { accepted: result.accepted } };
      },
    },

    // PagerDuty senders authenticate with the routing key in the body, not a header.
    '/v2/enqueue': {
      source: 'pagerduty',
      async handle(req) {
        const event = parseBody(pagerDutyEvent, req.body, 'PagerDuty event');
        const routed = route(event.routing_key);
        const dedupKey = event.dedup_key ?? newDedupKey();
        const actor = { by: event.client ?? 'pagerduty', source: 'pagerduty' };
        if (event.event_action === 'trigger') {
          await store([normalizePagerDutyTrigger(event, dedupKey, routed, clock.now())]);
        } else if (event.event_action === 'acknowledge') {
          await engine.acknowledgeAlert(pagerDutyFingerprint(routed, dedupKey), actor);
        } else {
          await engine.resolveAlertByFingerprint(pagerDutyFingerprint(routed, dedupKey), actor);
        }
        return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
      },
      // PagerDuty clients read {status, message, errors}; Vigil's {error} shape is kept alongside.
      errorExtras(e: VigilError) {
        if (e.status !== 400) return {};
        const details = (e.details as { field: string; problem: string }[] | undefined) ?? [];
        return { status: 'invalid event', message: 'Event object is invalid', errors: details.map((d) => `${d.field}: ${d.problem}`) };
      },
    },
  };
}

/** The ingest doors' operations (the OpenAPI document is generated from them). */
export function ingestOperations(_config: Config): Record<string, Operation> {
  return {};
}
