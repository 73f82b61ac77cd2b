import { Router, type Request, type Response } from 'express';
import type { Alert } from '../alerts/alert.js';
import type { Clock } from '../core/clock.js';
import { badRequest, VigilError } from '../core/errors.js';
import type { HttpMetrics } from '../core/metrics.js';
import type { Config } from '../config/schema.js';
import type { EnginePort } from '../incidents/engine.js';
import { requireToken } from '../http/auth.js';
import { parseBody } from '../http/validation.js';
import { verifyGrafanaSignature } from './grafana-signature.js';
import { alertmanagerWebhook, normalizeAlertmanager } from './sources/alertmanager.js';
import { grafanaWebhook, normalizeGrafana } from './sources/grafana.js';
import { checkPostable, normalizePrometheus, postableAlerts } from './sources/prometheus.js';
import {
  newDedupKey,
  normalizePagerDutyTrigger,
  pagerDutyEvent,
  pagerDutyFingerprint,
  type RoutedService,
} from './sources/pagerduty.js';
import { matchesAny } from '../http/auth.js';
import { createHash } from 'node:crypto';

export interface IngestDeps {
  config: Config;
  clock: Clock;
  engine: EnginePort;
  metrics: HttpMetrics;
}

type Source = Alert['source'];

/** The four doors alerts come in through. Each answers 2xx only after the durable commit. */
export function ingestRoutes({ config, clock, engine, metrics }: IngestDeps): Router {
  const router = Router();
  const tokenCheck = requireToken(config.auth.ingestTokens, 'ingest');
  const max = config.ingest.maxAlertsPerRequest;

  const timed = (source: Source, res: Response) => {
    res.locals.onFinish = (status: number, seconds: number) => {
      metrics.ingestDuration.observe({ source }, seconds);
      metrics.ingestRequests.inc({ source, code: String(status) });
    };
  };
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

  router.post('/api/v1/alerts/alertmanager', tokenCheck, async (req, res) => {
    timed('alertmanager', res);
    const body = parseBody(alertmanagerWebhook, req.body, 'Alertmanager webhook');
    checkCount(body.alerts.length, 'alerts');
    const result = await store(normalizeAlertmanager(body, clock.now()));
    res.status(202).json({ accepted: result.accepted });
  });

  const grafana = config.ingest.grafana;
  router.post('/api/v1/alerts/grafana', tokenCheck, async (req: Request, res) => {
    timed('grafana', res);
    if (grafana.hmacSecret) {
      verifyGrafanaSignature(
        {
          secret: grafana.hmacSecret,
          signatureHeader: grafana.signatureHeader,
          timestampHeader: grafana.timestampHeader,
          replayWindowMs: grafana.replayWindow,
        },
        req.headers,
        (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
        clock.now(),
      );
    }
    const body = parseBody(grafanaWebhook, req.body, 'Grafana webhook');
    checkCount(body.alerts.length, 'alerts');
    const result = await store(normalizeGrafana(body, clock.now()));
    res.status(202).json({ accepted: result.accepted });
  });

  router.post('/api/v2/alerts', tokenCheck, async (req, res) => {
    timed('prometheus', res);
    const body = parseBody(postableAlerts, req.body, 'Alertmanager API v2 alerts');
    checkCount(body.length, '(body)');
    const problems = checkPostable(body);
    if (problems.length > 0) throw badRequest(`${problems[0]!.field}: ${problems[0]!.problem}`, problems);
    const result = await store(normalizePrometheus(body, clock.now(), config.ingest.resolveTimeout));
    // Alertmanager answers 200 here; Prometheus only looks at the status.
    res.status(200).json({ accepted: result.accepted });
  });

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

  router.post('/v2/enqueue', async (req, res) => {
    timed('pagerduty', res);
    try {
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
      res.status(202).json({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
    } catch (err) {
      // PagerDuty clients read {status, message, errors}; Vigil's {error} shape is kept alongside.
      if (err instanceof VigilError && err.status === 400) {
        const details = (err.details as { field: string; problem: string }[] | undefined) ?? [];
        res.status(400).json({
          status: 'invalid event',
          message: 'Event object is invalid',
          errors: details.map((d) => `${d.field}: ${d.problem}`),
          error: { code: err.code, message: err.message, details },
        });
        return;
      }
      throw err;
    }
  });

  return router;
}
