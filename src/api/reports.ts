import type { Operation } from '../http/operation.js';
import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { badRequest, notFound } from '../errors/errors.js';
import { parseQuery } from '../http/validation.js';
import type { DigestConfig } from '../reports/digest-schedule.js';
import { defaultListLimit } from '../reports/figures.js';
import { loadReview, loadSummary } from '../reports/load.js';
import { isPeriodProblem, resolvePeriod } from '../reports/period.js';
import type { ReportQueue } from '../reports/report-queue.js';
import type { Store } from '../store/types.js';

/** The most items a summary lists per list (open, info, flapping, self-healed, escalated incidents). */
const MAX_LIST_LIMIT = 500;

const summaryQuery = z
  .object({
    since: z.string().min(1).max(100).optional(),
    until: z.string().min(1).max(100).optional(),
    team: z.string().min(1).max(100).optional(),
    tz: z.string().min(1).max(100).optional(),
    limit: z.coerce.number().int().min(0).max(MAX_LIST_LIMIT).default(defaultListLimit),
  });

const idParam = z.coerce.number().int().positive();

export interface ReportRouteDeps {
  store: Pick<Store, 'reportChunks' | 'getIncident' | 'alertsOf' | 'timelineOf' | 'listNotifications'>;
  clock: Clock;
  /** Shared with the digests: reports computed at once, and how many may wait. */
  queue: ReportQueue;
  digests: Pick<DigestConfig, 'timeZone' | 'targets' | 'nightHours'>;
  /** Vigil's public URL, for the link in a review. */
  publicUrl?: string;
}

/**
 * Reports over HTTP (VIGIL_API_TOKEN): the summary the digests and `vigil report` are made of, as JSON,
 * and the review draft of an incident as Markdown. A summary waits for its turn in the report queue, or
 * answers 503 with Retry-After when too many are waiting already.
 */
export function reportRoutes(deps: ReportRouteDeps): Router {
  const router = Router();

  router.get('/api/v1/reports/summary', async (req, res) => {
    const q = parseQuery(summaryQuery, req.query);
    const period = resolvePeriod(q, deps.clock.now(), deps.digests.timeZone);
    if (isPeriodProblem(period)) throw badRequest(`query: ${period.field}: ${period.problem}`, [period]);
    // resolvePeriod has checked every input; an error from here on is Vigil's, not the request's.
    const summary = await loadSummary(
      deps.store,
      { ...period, team: q.team ?? null, targets: deps.digests.targets, nightHours: deps.digests.nightHours, listLimit: q.limit },
      { queue: deps.queue },
    );
    res.json(summary);
  });

  router.get('/api/v1/incidents/:id/review', async (req, res) => {
    const parsed = idParam.safeParse(req.params.id);
    if (!parsed.success) throw notFound(`incident ${String(req.params.id)} not found`);
    const review = await loadReview(deps.store, parsed.data, deps.publicUrl);
    if (!review) throw notFound(`incident ${parsed.data} not found`);
    res.setHeader('Content-Type', 'text/markdown; charset=utf-8');
    res.send(review.markdown);
  });

  return router;
}

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const reportOperations: Record<string, Operation> = {};
