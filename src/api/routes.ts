import { Router } from 'express';
import { z } from 'zod';
import { severities } from '../alerts/severity.js';
import { badRequest, notFound } from '../errors/errors.js';
import type { EnginePort } from '../incidents/engine.js';
import type { IncidentCursor, IncidentRow, StoreReader } from '../store/types.js';
import { operation, route } from '../http/operation.js';
import { isoTime, named } from '../http/api-schemas.js';
import { alertSchema, incidentSchema, presentAlert, presentEvent, presentIncident, timelineEventSchema } from './present.js';
import { actor } from './actor.js';

const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

const incidentListQuery = z.object({
  status: z.enum(['open', 'triggered', 'acknowledged', 'resolved']).optional().describe('open: triggered or acknowledged.'),
  severity: z.enum(severities).optional(),
  team: z.string().min(1).max(100).optional(),
  service: z.string().min(1).max(200).optional(),
  q: z.string().max(200).optional().describe("Text in the title or the alerts' labels."),
  mine: z.enum(['true', 'false']).optional().describe('Only incidents the signed-in person was paged for.'),
  sort: z.enum(['newest', 'urgency']).default('newest').describe('newest, or urgency: most severe first, then the oldest.'),
  counts: z.enum(['true', 'false']).optional().describe("With true, the answer also counts the matches per status (the console's tabs)."),
  limit: limit(500, 50),
  cursor: z.string().regex(/^(\d+|u[0-3]-\d+-\d+)$/, 'must be the "next" value of a previous page').optional().describe('The "next" value of the previous page.'),
});

const statusCounts = z.object({
  triggered: z.number().int(),
  acknowledged: z.number().int(),
  resolved: z.number().int(),
  open: z.number().int(),
  all: z.number().int(),
});
const incidentPage = named(
  'IncidentPage',
  z.object({ incidents: z.array(incidentSchema), next: z.string().nullable().describe('The cursor of the next page; null on the last.'), counts: statusCounts.optional() }),
);
const incidentDetail = named('IncidentDetail', incidentSchema.extend({ alerts: z.array(alertSchema), timeline: z.array(timelineEventSchema) }));
const noteAnswer = z.object({ incidentId: z.number().int(), at: isoTime, by: z.string(), text: z.string() });

/** A page's end as the "next" cursor: the id when newest first, severity rank, creation and id by urgency. */
function cursorOf(i: IncidentRow, sort: 'newest' | 'urgency'): string {
  return sort === 'urgency' ? `u${severities.indexOf(i.severity)}-${i.createdAt}-${i.id}` : String(i.id);
}

function parseCursor(text: string): IncidentCursor {
  const m = /^u(\d)-(\d+)-(\d+)$/.exec(text);
  return m ? { severityRank: Number(m[1]), createdAt: Number(m[2]), id: Number(m[3]) } : { id: Number(text) };
}

const alertListQuery = z.object({
  status: z.enum(['firing', 'resolved']).optional(),
  incident: z.coerce.number().int().positive().optional(),
  limit: limit(5000, 500),
});

const idParam = z.coerce.number().int().positive();
/** An incident id from a path: one that cannot be an id is an incident that does not exist (404). */
export function incidentIdOf(raw: unknown): number {
  const r = idParam.safeParse(raw);
  if (!r.success) throw notFound(`incident ${String(raw)} not found`);
  return r.data;
}
const incidentIdParam = { id: z.number().int().positive() };
const actionBody = z
  .object({ by: z.string().trim().min(1).max(200).optional(), note: z.string().max(10_000).optional() })
  .strict();
const noteBody = z.object({ by: z.string().trim().min(1).max(200).optional(), text: z.string().trim().min(1).max(10_000) }).strict();

const incidentAction = (id: string, verb: 'acknowledge' | 'resolve' | 'escalate', summary: string) =>
  operation({
    id,
    method: 'post',
    path: `/api/v1/incidents/:id/${verb}`,
    tag: 'incidents',
    summary,
    access: 'api',
    params: incidentIdParam,
    body: actionBody,
    bodyName: verb,
    bodyOptional: true,
    responses: { 200: { description: 'The incident after the change', schema: incidentSchema } },
  });

export const incidentOperations = {
  list: operation({
    id: 'listIncidents',
    method: 'get',
    path: '/api/v1/incidents',
    tag: 'incidents',
    summary: 'Incidents, newest or most urgent first, a page at a time',
    access: 'api',
    query: incidentListQuery,
    responses: { 200: { description: 'A page of incidents', schema: incidentPage } },
  }),
  show: operation({
    id: 'getIncident',
    method: 'get',
    path: '/api/v1/incidents/:id',
    tag: 'incidents',
    summary: 'One incident with its alerts and timeline',
    access: 'api',
    params: incidentIdParam,
    responses: { 200: { description: 'The incident', schema: incidentDetail } },
  }),
  acknowledge: incidentAction('acknowledgeIncident', 'acknowledge', 'Acknowledge: escalation stops'),
  resolve: incidentAction('resolveIncident', 'resolve', 'Resolve the incident'),
  escalate: incidentAction('escalateIncident', 'escalate', 'Page the next escalation tier now'),
  note: operation({
    id: 'addIncidentNote',
    method: 'post',
    path: '/api/v1/incidents/:id/notes',
    tag: 'incidents',
    summary: "Add a note to the incident's timeline",
    access: 'api',
    params: incidentIdParam,
    body: noteBody,
    bodyName: 'note',
    responses: { 201: { description: 'The note', schema: noteAnswer } },
  }),
  alerts: operation({
    id: 'listAlerts',
    method: 'get',
    path: '/api/v1/alerts',
    tag: 'alerts',
    summary: 'Alerts, newest first',
    access: 'api',
    query: alertListQuery,
    responses: { 200: { description: 'Alerts', schema: z.object({ alerts: z.array(alertSchema) }) } },
  }),
};

/** The incident and alert API used by people and tools (VIGIL_API_TOKEN). */
export function apiRoutes(store: StoreReader, engine: EnginePort): Router {
  const router = Router();

  route(router, incidentOperations.list, async ({ query: q }, _req, res) => {
    const cursor = q.cursor === undefined ? undefined : parseCursor(q.cursor);
    if (cursor && (cursor.severityRank === undefined) !== (q.sort === 'newest')) {
      throw badRequest('cursor: from a page in another order', [{ field: 'cursor', problem: 'from a page sorted differently' }]);
    }
    const person = res.locals.principal?.person ?? null;
    if (q.mine === 'true' && (person === null || res.locals.principal?.via === 'api-token')) {
      throw badRequest('mine: needs a person signed in (a personal token or the console)', [{ field: 'mine', problem: 'no person signed in' }]);
    }
    const filters = {
      severity: q.severity,
      team: q.team,
      service: q.service,
      text: q.q,
      pagedPerson: q.mine === 'true' ? person! : undefined,
    };
    const [rows, counts] = await Promise.all([
      store.listIncidents({ ...filters, status: q.status, order: q.sort, limit: q.limit + 1, after: cursor }),
      q.counts === 'true' ? store.countIncidents(filters) : undefined,
    ]);
    const page = rows.slice(0, q.limit);
    const next = rows.length > q.limit ? cursorOf(page[page.length - 1]!, q.sort) : null;
    res.json({
      incidents: page.map(presentIncident),
      next,
      ...(counts ? { counts: { ...counts, open: counts.triggered + counts.acknowledged, all: counts.triggered + counts.acknowledged + counts.resolved } } : {}),
    });
  });

  route(router, incidentOperations.show, async (_input, req, res) => {
    const id = incidentIdOf(req.params.id);
    const incident = await store.getIncident(id);
    if (!incident) throw notFound(`incident ${id} not found`);
    const [alerts, timeline] = await Promise.all([store.alertsOf(id), store.timelineOf(id)]);
    res.json({ ...presentIncident(incident), alerts: alerts.map(presentAlert), timeline: timeline.map(presentEvent) });
  });

  route(router, incidentOperations.acknowledge, async ({ body }, req, res) => {
    const id = incidentIdOf(req.params.id);
    const incident = await engine.acknowledge(id, { ...actor(req, res, body.by), note: body.note });
    res.json(presentIncident(incident));
  });

  route(router, incidentOperations.resolve, async ({ body }, req, res) => {
    const id = incidentIdOf(req.params.id);
    const incident = await engine.resolve(id, { ...actor(req, res, body.by), note: body.note });
    res.json(presentIncident(incident));
  });

  route(router, incidentOperations.escalate, async ({ body }, req, res) => {
    const id = incidentIdOf(req.params.id);
    await engine.escalateNow(id, { ...actor(req, res, body.by), note: body.note });
    const incident = await store.getIncident(id);
    res.json(presentIncident(incident!));
  });

  route(router, incidentOperations.note, async ({ body }, req, res) => {
    const id = incidentIdOf(req.params.id);
    const note = await engine.addNote(id, { ...actor(req, res, body.by), text: body.text });
    res.status(201).json({ incidentId: note.incidentId, at: new Date(note.at).toISOString(), by: note.by, text: note.text });
  });

  route(router, incidentOperations.alerts, async ({ query: q }, _req, res) => {
    const rows = await store.listAlerts({ status: q.status, incidentId: q.incident, limit: q.limit });
    res.json({ alerts: rows.map(presentAlert) });
  });

  return router;
}
