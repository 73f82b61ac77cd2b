import { Router } from 'express';
import { incidentIdOf } from './routes.js';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { badRequest, notFound } from '../errors/errors.js';
import { operation, route } from '../http/operation.js';
import { summarySchema } from './report-schemas.js';
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
    since: z.string().min(1).max(100).optional().describe('RFC 3339, `now`, or a duration back from now (`7d`, `24h`); default seven days before until. The period is at most 366 days.'),
    until: z.string().min(1).max(100).optional().describe('RFC 3339, `now`, or a duration back from now; default now.'),
    team: z.string().min(1).max(100).optional().describe("Only this team's incidents (and their pages, escalations and runbook runs)."),
    tz: z.string().min(1).max(100).optional().describe("IANA time zone for local days and night hours (default: the digests' zone)."),
    limit: z.coerce.number().int().min(0).max(MAX_LIST_LIMIT).default(defaultListLimit).describe('Items per list (open, info, flapping, self-healed, escalated incidents); the totals count them all.'),
  });


/** The operations this module mounts (the OpenAPI document is generated from them). */
export const reportOperations = {
  summary: operation({
    id: 'getReportSummary',
    method: 'get',
    path: '/api/v1/reports/summary',
    tag: 'reports',
    summary: "A period's figures: incidents, MTTA/MTTR, SLA compliance, on-call load, noisy alerts, runbooks",
    description: 'The summary the digests and `vigil report` are made of. It waits for its turn in the report queue, or answers 503 with Retry-After when too many reports are waiting.',
    access: 'api',
    query: summaryQuery,
    responses: { 200: { description: 'The summary', schema: summarySchema } },
  }),
  review: operation({
    id: 'getIncidentReview',
    method: 'get',
    path: '/api/v1/incidents/:id/review',
    tag: 'reports',
    summary: "A draft post-incident review of the incident, in Markdown",
    access: 'api',
    params: { id: z.number().int().positive() },
    responses: { 200: { description: 'The review draft', type: 'text/markdown' } },
  }),
};

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

  route(router, reportOperations.summary, async ({ query: q }, _req, res) => {
    const period = resolvePeriod(q, deps.clock.now(), deps.digests.timeZone);
    if (isPeriodProblem(period)) throw badRequest(`query: ${period.field}: ${period.problem}`, [period]);
    // resolvePeriod has checked every input; an error from here on is Vigil's, not the request's.
    const summary = await loadSummary(
      deps.store,
      { ...period, team: q.team ?? null, targets: deps.digests.targets, nightHours: deps.digests.nightHours, listLimit: q.limit },
      { queue: deps.queue },
    );
    res.json(summary satisfies z.infer<typeof summarySchema>);
  });

  route(router, reportOperations.review, async (_input, req, res) => {
    const id = incidentIdOf(req.params.id);
    const review = await loadReview(deps.store, id, deps.publicUrl);
    if (!review) throw notFound(`incident ${id} not found`);
    res.setHeader('Content-Type', 'text/markdown; charset=utf-8');
    res.send(review.markdown);
  });

  return router;
}
