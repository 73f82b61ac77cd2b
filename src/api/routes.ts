import { Router } from 'express';
import { z } from 'zod';
import { severities } from '../alerts/severity.js';
import { badRequest, notFound } from '../errors/errors.js';
import type { EnginePort } from '../incidents/engine.js';
import type { IncidentCursor, IncidentRow, StoreReader } from '../store/types.js';
import { parseBody, parseQuery } from '../http/validation.js';
import { presentAlert, presentEvent, presentIncident } from './present.js';
import { actor } from './actor.js';

const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt);

const incidentListQuery = z.object({
  /** open: triggered or acknowledged. */
  status: z.enum(['open', 'triggered', 'acknowledged', 'resolved']).optional(),
  severity: z.enum(severities).optional(),
  team: z.string().min(1).max(100).optional(),
  service: z.string().min(1).max(200).optional(),
  /** Text in the title or the alerts' labels. */
  q: z.string().max(200).optional(),
  /** Only incidents the signed-in person was paged for. */
  mine: z.enum(['true', 'false']).optional(),
  /** newest (default) or urgency: most severe first, then the oldest. */
  sort: z.enum(['newest', 'urgency']).default('newest'),
  /** With counts=true, the answer also counts the matches per status (the console's tabs). */
  counts: z.enum(['true', 'false']).optional(),
  limit: limit(500, 50),
  cursor: z.string().regex(/^(\d+|u[0-3]-\d+-\d+)$/, 'must be the "next" value of a previous page').optional(),
});

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
const actionBody = z
  .object({ by: z.string().trim().min(1).max(200).optional(), note: z.string().max(10_000).optional() })
  .strict();
const noteBody = z.object({ by: z.string().trim().min(1).max(200).optional(), text: z.string().trim().min(1).max(10_000) }).strict();

/** The incident and alert API used by people and tools (VIGIL_API_TOKEN). */
export function apiRoutes(store: StoreReader, engine: EnginePort): Router {
  const router = Router();

  const incidentId = (raw: unknown) => {
    const r = idParam.safeParse(raw);
    if (!r.success) throw notFound(`incident ${String(raw)} not found`);
    return r.data;
  };

  router.get('/api/v1/incidents', async (req, res) => {
    const q = parseQuery(incidentListQuery, req.query);
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

  router.get('/api/v1/incidents/:id', async (req, res) => {
    const id = incidentId(req.params.id);
    const incident = await store.getIncident(id);
    if (!incident) throw notFound(`incident ${id} not found`);
    const [alerts, timeline] = await Promise.all([store.alertsOf(id), store.timelineOf(id)]);
    res.json({ ...presentIncident(incident), alerts: alerts.map(presentAlert), timeline: timeline.map(presentEvent) });
  });

  router.post('/api/v1/incidents/:id/acknowledge', async (req, res) => {
    const id = incidentId(req.params.id);
    const body = parseBody(actionBody, req.body ?? {}, 'acknowledge');
    const incident = await engine.acknowledge(id, { ...actor(req, res, body.by), note: body.note });
    res.json(presentIncident(incident));
  });

  router.post('/api/v1/incidents/:id/resolve', async (req, res) => {
    const id = incidentId(req.params.id);
    const body = parseBody(actionBody, req.body ?? {}, 'resolve');
    const incident = await engine.resolve(id, { ...actor(req, res, body.by), note: body.note });
    res.json(presentIncident(incident));
  });

  router.post('/api/v1/incidents/:id/escalate', async (req, res) => {
    const id = incidentId(req.params.id);
    const body = parseBody(actionBody, req.body ?? {}, 'escalate');
    await engine.escalateNow(id, actor(req, res, body.by));
    const incident = await store.getIncident(id);
    res.json(presentIncident(incident!));
  });

  router.post('/api/v1/incidents/:id/notes', async (req, res) => {
    const id = incidentId(req.params.id);
    const body = parseBody(noteBody, req.body, 'note');
    const note = await engine.addNote(id, { ...actor(req, res, body.by), text: body.text });
    res.status(201).json({ incidentId: note.incidentId, at: new Date(note.at).toISOString(), by: note.by, text: note.text });
  });

  router.get('/api/v1/alerts', async (req, res) => {
    const q = parseQuery(alertListQuery, req.query);
    const rows = await store.listAlerts({ status: q.status, incidentId: q.incident, limit: q.limit });
    res.json({ alerts: rows.map(presentAlert) });
  });

  return router;
}
