import { Router } from 'express';
import { actor, anonymousScript } from './actor.js';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { badRequest, notFound } from '../errors/errors.js';
import { requestedSpan } from './requested-span.js';
import type { EnginePort } from '../incidents/engine.js';
import type { AlertRow, StoreReader } from '../store/types.js';
import type { SilenceRow } from '../rules/suppression-types.js';
import { alertSchema, iso, presentAlert } from './present.js';
import { operation, route } from '../http/operation.js';
import { isoTime, named } from '../http/api-schemas.js';
import { instant } from '../time/rfc3339.js';
import { compileMatcher, matchesAll, MatcherError, parseMatchers } from '../rules/matchers.js';
import { firingAlertPages } from './firing-alerts.js';
import { normalizeMatchers, silenceMatcherProblem, silenceState } from '../rules/silences.js';


const matcherTexts = z
  .union([z.string(), z.array(z.string()).min(1).max(64)])
  .describe('Alertmanager matchers over labels (`alertname="X"`, `env=~"prod|staging"`, `{a="b", c!="d"}`): one string or a list; at least one must not match the empty string.')
  .transform((m) => (typeof m === 'string' ? [m] : m))
  .transform((texts, ctx) => {
    try {
      const problem = silenceMatcherProblem(texts.flatMap((t) => parseMatchers(t)));
      if (problem) throw new MatcherError(problem);
      return normalizeMatchers(texts);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof MatcherError ? err.message : String(err) });
      return z.NEVER;
    }
  });

const newSilence = z
  .object({
    matchers: matcherTexts,
    startsAt: instant.optional().describe('RFC 3339; default now.'),
    endsAt: instant.optional().describe('RFC 3339; or give duration.'),
    duration: z.string().optional().describe('Instead of endsAt: how long from startsAt, e.g. 2h.'),
    createdBy: z.string().trim().min(1).max(200).optional().describe('Who asks: required from a script with the API token; people signed in are recorded as themselves.'),
    comment: z.string().trim().min(1).max(2000).describe('Why: shown on every alert it mutes.'),
  })
  .strict();

const previewBody = z.object({ matchers: matcherTexts }).strict();
/** A preview lists this many of the alerts it would mute (and counts all of them, up to the scan limit). */
const PREVIEW_LIMIT = 100;
const PREVIEW_SCAN_LIMIT = 200_000;

const silenceStates = ['active', 'pending', 'expired'] as const;
const listQuery = z.object({ state: z.enum(silenceStates).optional().describe('Only silences in this state.') });
const deleteQuery = z.object({ by: z.string().max(10_000).optional().describe('Who expires the silence (default: who the credential is).') });

export const silenceSchema = named(
  'Silence',
  z.object({
    id: z.string(),
    matchers: z.array(z.string()).describe('Alertmanager matchers, normalized (`name="value"`).'),
    startsAt: isoTime,
    endsAt: isoTime,
    createdBy: z.string(),
    comment: z.string(),
    createdAt: isoTime,
    updatedAt: isoTime,
    state: z.enum(silenceStates).describe('pending: starts later; expired: ended (or expired early).'),
  }),
);

const silencePreview = named(
  'SilencePreview',
  z.object({
    matchers: z.array(z.string()).describe('The matchers, normalized.'),
    total: z.number().int().describe(`How many firing alerts they match (counting up to ${PREVIEW_SCAN_LIMIT} firing alerts).`),
    alerts: z.array(alertSchema).describe(`The first ${PREVIEW_LIMIT} of them.`),
  }),
);

const silenceIdParam = { id: z.string().describe('The silence id') };

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const silenceOperations = {
  create: operation({
    id: 'createSilence',
    method: 'post',
    path: '/api/v1/silences',
    tag: 'silences',
    summary: 'Silence alerts matching these matchers for a while, with who and why',
    access: 'api',
    body: newSilence,
    bodyName: 'silence',
    responses: { 201: { description: 'The silence', schema: silenceSchema } },
  }),
  preview: operation({
    id: 'previewSilence',
    method: 'post',
    path: '/api/v1/silences/preview',
    tag: 'silences',
    summary: 'The firing alerts a silence with these matchers would mute now',
    access: 'api',
    body: previewBody,
    bodyName: 'silence preview',
    responses: { 200: { description: 'What the matchers match', schema: silencePreview } },
  }),
  list: operation({
    id: 'listSilences',
    method: 'get',
    path: '/api/v1/silences',
    tag: 'silences',
    summary: 'Silences, pending, active and expired',
    access: 'api',
    query: listQuery,
    responses: { 200: { description: 'The silences', schema: z.object({ silences: z.array(silenceSchema) }) } },
  }),
  show: operation({
    id: 'getSilence',
    method: 'get',
    path: '/api/v1/silences/:id',
    tag: 'silences',
    summary: 'One silence',
    access: 'api',
    params: silenceIdParam,
    responses: { 200: { description: 'The silence', schema: silenceSchema } },
  }),
  expire: operation({
    id: 'expireSilence',
    method: 'delete',
    path: '/api/v1/silences/:id',
    tag: 'silences',
    summary: 'Expire a silence now: the alerts it muted page again',
    access: 'api',
    params: silenceIdParam,
    query: deleteQuery,
    responses: { 200: { description: 'The silence, expired', schema: silenceSchema } },
  }),
};

/** Silences: muting alerts by matchers for a while, with who and why (VIGIL_API_TOKEN). */
export function silenceRoutes(store: StoreReader, engine: EnginePort, clock: Clock): Router {
  const router = Router();
  const present = (s: SilenceRow): z.infer<typeof silenceSchema> => ({
    id: s.id,
    matchers: s.matchers,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    createdBy: s.createdBy,
    comment: s.comment,
    createdAt: iso(s.createdAt),
    updatedAt: iso(s.updatedAt),
    state: silenceState(s, clock.now()),
  });

  route(router, silenceOperations.create, async ({ body }, req, res) => {
    const { startsAt, endsAt } = requestedSpan(body, clock.now());
    const who = actor(req, res, body.createdBy);
    if (anonymousScript(who, body.createdBy)) throw badRequest('createdBy: required', [{ field: 'createdBy', problem: 'required' }]);
    const silence = await engine.createSilence({ matchers: body.matchers, startsAt, endsAt, createdBy: who.name ?? who.by, comment: body.comment });
    res.status(201).json(present(silence));
  });

  // What a silence would mute now: the firing alerts its matchers match (the console shows them before creating it).
  route(router, silenceOperations.preview, async ({ body }, _req, res) => {
    const compiled = body.matchers.flatMap((m) => parseMatchers(m).map(compileMatcher));
    const matched: AlertRow[] = [];
    let total = 0;
    let scanned = 0;
    for await (const page of firingAlertPages(store)) {
      for (const a of page) {
        if (!matchesAll(compiled, (name) => a.labels[name])) continue;
        total++;
        if (matched.length < PREVIEW_LIMIT) matched.push(a);
      }
      scanned += page.length;
      if (scanned >= PREVIEW_SCAN_LIMIT) break;
    }
    res.json({ matchers: body.matchers, total, alerts: matched.map(presentAlert) });
  });

  route(router, silenceOperations.list, async ({ query: q }, _req, res) => {
    const now = clock.now();
    const all = await store.listSilences();
    res.json({ silences: all.filter((s) => !q.state || silenceState(s, now) === q.state).map(present) });
  });

  route(router, silenceOperations.show, async (_input, req, res) => {
    const id = String(req.params.id);
    const silence = await store.getSilence(id);
    if (!silence) throw notFound(`silence ${id} not found`);
    res.json(present(silence));
  });

  route(router, silenceOperations.expire, async ({ query: q }, req, res) => {
    const given = q.by?.trim() ? q.by.trim().slice(0, 200) : undefined;
    const who = actor(req, res, given);
    res.json(present(await engine.expireSilence(String(req.params.id), who.name ?? who.by)));
  });

  return router;
}
