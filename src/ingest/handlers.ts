import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Alert } from '../alerts/alert.js';
import type { Clock } from '../time/clock.js';
import { badRequest, type VigilError } from '../errors/errors.js';
import type { HttpMetrics } from '../observe/metrics.js';
import type { Config } from '../config/schema.js';
import type { EnginePort } from '../incidents/engine.js';
import { matchesAny, tokenCheck } from '../http/auth.js';
import type { IngestRequest, IngestRoute } from '../http/ingest-dispatch.js';
import { parseBody } from '../http/validation.js';
import { named } from '../http/api-schemas.js';
import { operation, type Operation } from '../http/operation.js';
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

const accepted = z.object({ accepted: z.number().int().nonnegative().describe('How many alerts were taken (each stored or updated)') });
const pagerDutyAnswer = z.object({
  status: z.literal('success'),
  message: z.literal('Event processed'),
  dedup_key: z.string().describe("The event's dedup_key, or the one Vigil made for a trigger without one"),
});

named('GrafanaWebhook', grafanaWebhook, "Grafana unified alerting's webhook contact point (version 1).");
named('PagerDutyEvent', pagerDutyEvent, 'A PagerDuty Events API v2 event.');

/**
 * The ingest doors' operations (the OpenAPI document is generated from them, and each door validates its body
 * with its operation's schema). The Alertmanager and Prometheus doors check label names by `ingest.labelNames`.
 */
export function ingestOperations(config: Config) {
  let ops = operationsByConfig.get(config);
  if (!ops) operationsByConfig.set(config, (ops = writeIngestOperations(config)));
  return ops;
}

/** One set per config: the document describes the very schemas the doors validate with. */
const operationsByConfig = new WeakMap<Config, ReturnType<typeof writeIngestOperations>>();

function writeIngestOperations(config: Config) {
  const names = config.ingest.labelNames;
  return {
    alertmanager: operation({
      id: 'ingestAlertmanagerWebhook',
      method: 'post',
      path: '/api/v1/alerts/alertmanager',
      tag: 'ingest',
      summary: "Alertmanager's webhook receiver (version 4): its alerts become incidents",
      access: 'ingest',
      body: alertmanagerWebhookSchema(names),
      bodyName: 'Alertmanager webhook',
      responses: { 202: { description: 'Stored', schema: accepted } },
    }),
    grafana: operation({
      id: 'ingestGrafanaWebhook',
      method: 'post',
      path: '/api/v1/alerts/grafana',
      tag: 'ingest',
      summary: "Grafana's webhook contact point: its alerts become incidents",
      description: 'With ingest.grafana.hmacSecret set, the body must carry a valid HMAC signature (and timestamp) in the configured headers.',
      access: 'ingest',
      body: grafanaWebhook,
      bodyName: 'Grafana webhook',
      responses: { 202: { description: 'Stored', schema: accepted } },
    }),
    postableAlerts: operation({
      id: 'ingestPostableAlerts',
      method: 'post',
      path: '/api/v2/alerts',
      tag: 'ingest',
      summary: "Alertmanager's own POST /api/v2/alerts, where Prometheus sends its alerts: point alerting.alertmanagers at Vigil",
      description: "Alertmanager's rules: a missing startsAt is now, a missing endsAt resolves after ingest.resolveTimeout unless sent again, an endsAt in the past resolves.",
      access: 'ingest',
      body: postableAlertsSchema(names),
      bodyName: 'Alertmanager API v2 alerts',
      responses: { 200: { description: 'Stored (200 as Alertmanager answers; Prometheus reads only the status)', schema: accepted } },
    }),
    pagerduty: operation({
      id: 'ingestPagerDutyEvent',
      method: 'post',
      path: '/v2/enqueue',
      tag: 'ingest',
      summary: 'PagerDuty Events API v2: trigger, acknowledge or resolve an alert by its dedup_key',
      description: "Point a PagerDuty integration's events URL at Vigil. A 400 also carries PagerDuty's status, message and errors beside Vigil's error.",
      access: 'routing-key',
      body: pagerDutyEvent,
      bodyName: 'PagerDuty event',
      responses: { 202: { description: 'Processed', schema: pagerDutyAnswer } },
      errors: 'pagerduty',
    }),
  };
}

/** The body of an ingest request, validated by its operation's schema (a 400 naming the field). */
function bodyOf<B extends z.ZodType>(op: Operation<undefined, B>, req: IngestRequest): z.output<B> {
  return parseBody(op.body!, req.body, op.bodyName ?? 'body');
}

export interface IngestDeps {
  config: Config;
  clock: Clock;
  engine: EnginePort;
  metrics: HttpMetrics;
}

/** The four doors alerts come in through. Each answers 2xx only after the durable commit. */
export function ingestRoutes({ config, clock, engine, metrics }: IngestDeps): Record<string, IngestRoute> {
  const ops = ingestOperations(config);
  const checkToken = tokenCheck(config.auth.ingestTokens, 'ingest');
  const max = config.ingest.maxAlertsPerRequest;

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
    alertmanager: {
      operation: ops.alertmanager,
      source: 'alertmanager',
      async handle(req: IngestRequest) {
        checkToken(req.headers.authorization);
        const body = bodyOf(ops.alertmanager, req);
        checkCount(body.alerts.length, 'alerts');
        const result = await store(normalizeAlertmanager(body, clock.now()));
        return { status: 202, body: { accepted: result.accepted } satisfies z.infer<typeof accepted> };
      },
    },

    grafana: {
      operation: ops.grafana,
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
        const body = bodyOf(ops.grafana, req);
        checkCount(body.alerts.length, 'alerts');
        const result = await store(normalizeGrafana(body, clock.now()));
        return { status: 202, body: { accepted: result.accepted } satisfies z.infer<typeof accepted> };
      },
    },

    postableAlerts: {
      operation: ops.postableAlerts,
      source: 'prometheus',
      async handle(req) {
        checkToken(req.headers.authorization);
        const body = bodyOf(ops.postableAlerts, req);
        checkCount(body.length, '(body)');
        const problems = checkPostable(body);
        if (problems.length > 0) throw badRequest(`${problems[0]!.field}: ${problems[0]!.problem}`, problems);
        const result = await store(normalizePrometheus(body, clock.now(), config.ingest.resolveTimeout));
        // Alertmanager answers 200 here; Prometheus only looks at the status.
        return { status: 200, body: { accepted: result.accepted } satisfies z.infer<typeof accepted> };
      },
    },

    // PagerDuty senders authenticate with the routing key in the body, not a header.
    pagerduty: {
      operation: ops.pagerduty,
      source: 'pagerduty',
      async handle(req) {
        const event = bodyOf(ops.pagerduty, req);
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
        return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } satisfies z.infer<typeof pagerDutyAnswer> };
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
