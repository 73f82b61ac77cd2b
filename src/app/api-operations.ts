import type { Config } from '../config/schema.js';
import { Router } from 'express';
import { z } from 'zod';
import { operation, route, type Operation } from '../http/operation.js';
import { openApiDocument } from '../http/openapi-document.js';
import { ingestOperations } from '../ingest/handlers.js';
import { alertmanagerOperations } from '../api/alertmanager/routes.js';
import { incidentOperations } from '../api/routes.js';
import { silenceOperations } from '../api/silences.js';
import { oncallOperations } from '../api/oncall.js';
import { notificationOperations } from '../api/notifications.js';
import { eventOperations } from '../api/events.js';
import { reportOperations } from '../api/reports.js';
import { runbookOperations } from '../api/runbooks.js';
import { heartbeatOperations } from '../api/heartbeats.js';
import { sessionOperations } from '../access/routes.js';
import { twilioOperations } from '../notify/inbound/twilio.js';
import { slackOperations } from '../notify/inbound/slack.js';
import { vonageOperations } from '../notify/inbound/vonage.js';
import { linkOperations } from '../notify/inbound/link-actions.js';
import { serviceOperations } from '../api/service-operations.js';

/** Every operation of the HTTP API, in the document's order: the ingest doors, the API by resource, then the callbacks. */
export function apiOperations(config: Config): Operation[] {
  const groups: Record<string, Operation>[] = [
    ingestOperations(config),
    alertmanagerOperations,
    incidentOperations,
    silenceOperations,
    oncallOperations,
    notificationOperations,
    eventOperations,
    reportOperations,
    runbookOperations,
    heartbeatOperations,
    sessionOperations,
    serviceOperations,
    twilioOperations,
    slackOperations,
    vonageOperations,
    linkOperations,
  ];
  return groups.flatMap((g) => Object.values(g));
}

export const openApiOperation = operation({
  id: 'getOpenApiDocument',
  method: 'get',
  path: '/api/openapi.json',
  tag: 'meta',
  summary: 'This document: the OpenAPI 3.1 description of the HTTP API',
  access: 'public',
  responses: { 200: { description: 'The OpenAPI document', schema: z.object({ openapi: z.literal('3.1.0') }).loose() } },
});

/** GET /api/openapi.json, written once from the operations the app mounts. */
export function openApiRoutes(config: Config, version: string): Router {
  // Written at start-up: a schema the generator cannot write stops Vigil starting, not a request later.
  const text = JSON.stringify(openApiDocument([...apiOperations(config), openApiOperation], { version }));
  const router = Router();
  route(router, openApiOperation, (_input, _req, res) => {
    res.type('application/json').send(text);
  });
  return router;
}
