import type { Operation } from '../http/operation.js';
import { Router } from 'express';
import { actor, anonymousScript } from './actor.js';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { badRequest, notFound } from '../errors/errors.js';
import { requestedSpan } from './requested-span.js';
import type { EnginePort } from '../incidents/engine.js';
import type { AlertRow, StoreReader } from '../store/types.js';
import type { SilenceRow } from '../rules/suppression-types.js';
import { presentAlert } from './present.js';
import { parseBody, parseQuery } from '../http/validation.js';
import { instant } from '../time/rfc3339.js';
import { compileMatcher, matchesAll, MatcherError, parseMatchers } from '../rules/matchers.js';
import { firingAlertPages } from './firing-alerts.js';
import { normalizeMatchers, silenceMatcherProblem, silenceState } from '../rules/silences.js';


const matcherTexts = z
  .union([z.string(), z.array(z.string()).min(1).max(64)])
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
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    /** Instead of endsAt: how long from startsAt, e.g. 2h. */
    duration: z.string().optional(),
    /** Who asks; people signed in with their own token are recorded as themselves. */
    createdBy: z.string().trim().min(1).max(200).optional(),
    comment: z.string().trim().min(1).max(2000),
  })
  .strict();

const previewBody = z.object({ matchers: matcherTexts }).strict();
/** A preview lists this many of the alerts it would mute (and counts all of them, up to the scan limit). */
const PREVIEW_LIMIT = 100;
const PREVIEW_SCAN_LIMIT = 200_000;

const listQuery = z.object({ state: z.enum(['active', 'pending', 'expired']).optional() });
/** Who expires a silence (default api). */
const deleteQuery = z.object({ by: z.string().max(10_000).optional() });

/** Silences: muting alerts by matchers for a while, with who and why (VIGIL_API_TOKEN). */
export function silenceRoutes(store: StoreReader, engine: EnginePort, clock: Clock): Router {
  const router = Router();
  const present = (s: SilenceRow) => ({
    id: s.id,
    matchers: s.matchers,
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
    createdAt: new Date(s.createdAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
    state: silenceState(s, clock.now()),
  });

  router.post('/api/v1/silences', async (req, res) => {
    const body = parseBody(newSilence, req.body, 'silence');
    const { startsAt, endsAt } = requestedSpan(body, clock.now());
    const who = actor(req, res, body.createdBy);
    if (anonymousScript(who, body.createdBy)) throw badRequest('createdBy: required', [{ field: 'createdBy', problem: 'required' }]);
    const silence = await engine.createSilence({ matchers: body.matchers, startsAt, endsAt, createdBy: who.name ?? who.by, comment: body.comment });
    res.status(201).json(present(silence));
  });

  // What a silence would mute now: the firing alerts its matchers match (the console shows them before creating it).
  router.post('/api/v1/silences/preview', async (req, res) => {
    const body = parseBody(previewBody, req.body, 'silence preview');
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

  router.get('/api/v1/silences', async (req, res) => {
    const q = parseQuery(listQuery, req.query);
    const now = clock.now();
    const all = await store.listSilences();
    res.json({ silences: all.filter((s) => !q.state || silenceState(s, now) === q.state).map(present) });
  });

  router.get('/api/v1/silences/:id', async (req, res) => {
    const silence = await store.getSilence(req.params.id);
    if (!silence) throw notFound(`silence ${req.params.id} not found`);
    res.json(present(silence));
  });

  router.delete('/api/v1/silences/:id', async (req, res) => {
    const q = parseQuery(deleteQuery, req.query);
    const given = q.by?.trim() ? q.by.trim().slice(0, 200) : undefined;
    const who = actor(req, res, given);
    res.json(present(await engine.expireSilence(req.params.id, who.name ?? who.by)));
  });

  return router;
}

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const silenceOperations: Record<string, Operation> = {};
