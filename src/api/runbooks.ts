import type { Operation } from '../http/operation.js';
import { iso } from './present.js';
import { Router } from 'express';
import { actor, anonymousScript } from './actor.js';
import { z } from 'zod';
import { badRequest, notFound } from '../errors/errors.js';
import { formatDuration } from '../time/duration.js';
import { parseBody, parseQuery } from '../http/validation.js';
import type { RunbooksConfig } from '../runbooks/config.js';
import type { LiveRunbooks } from '../runbooks/live-runbooks.js';
import type { RunbookRunner } from '../runbooks/runner.js';
import type { ApprovalRow, RunbookRunRow, StoreReader } from '../store/types.js';

export interface RunbookApiDeps {
  live: LiveRunbooks;
  runner: RunbookRunner;
  config: RunbooksConfig;
}

const runRequest = z
  .object({
    by: z.string().trim().min(1).max(200).optional(),
    dryRun: z.boolean().default(false),
  })
  .strict();

const decision = z
  .object({
    /** Required unless a person signed in decides (they decide as themselves). */
    by: z.string().trim().min(1).max(200).optional(),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();

const runsQuery = z.object({
  incident: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});


function presentRun(r: RunbookRunRow, approvals: ApprovalRow[] = []) {
  return {
    id: r.id,
    incidentId: r.incidentId,
    runbook: r.runbook,
    target: r.targetKey,
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    status: r.status,
    outcome: r.outcome,
    dryRun: r.dryRun,
    summary: r.summary,
    createdAt: iso(r.createdAt),
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    approvals: approvals.map((a) => ({
      step: a.step,
      prompt: a.prompt,
      status: a.status,
      decidedBy: a.decidedBy,
      comment: a.comment,
      expiresAt: iso(a.expiresAt),
      decidedAt: iso(a.decidedAt),
    })),
  };
}

/** Runbooks: what is loaded, runs by hand, and approvals of steps that wait for a person (VIGIL_API_TOKEN). */
export function runbookRoutes(store: StoreReader, deps: RunbookApiDeps): Router {
  const router = Router();

  router.get('/api/v1/runbooks', (_req, res) => {
    const set = deps.live.current;
    res.json({
      enabled: deps.config.enabled,
      dryRun: deps.config.dryRun,
      runbooks: [...set.runbooks.values()].map((b) => ({
        name: b.name,
        description: b.description ?? null,
        file: b.file,
        dryRun: b.dryRun || deps.config.dryRun,
        concurrency: b.concurrency,
        running: deps.runner.active(b.name),
        rateLimit: b.rateLimit ? { max: b.rateLimit.max, per: formatDuration(b.rateLimit.per) } : null,
        steps: b.steps.map((s) => ({ name: s.name, type: s.type, onFailure: s.onFailure, timeout: formatDuration(s.timeout) })),
      })),
    });
  });

  router.get('/api/v1/runbooks/runs', async (req, res) => {
    const q = parseQuery(runsQuery, req.query);
    const runs = await store.listRunbookRuns({ ...(q.incident === undefined ? {} : { incidentId: q.incident }), limit: q.limit });
    const approvals = await store.approvalsOfRuns(runs.map((r) => r.id));
    res.json({ runs: runs.map((r) => presentRun(r, approvals.filter((a) => a.runId === r.id))) });
  });

  router.get('/api/v1/runbooks/runs/:id', async (req, res) => {
    const run = await store.getRunbookRun(req.params.id);
    if (!run) throw notFound(`runbook run ${req.params.id} not found`);
    res.json(presentRun(run, await store.approvalsOf(run.id)));
  });

  router.post('/api/v1/incidents/:id/runbooks/:name/run', async (req, res) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) throw badRequest('incident id must be a positive integer', [{ field: 'id', problem: 'not a positive integer' }]);
    const body = parseBody(runRequest, req.body ?? {}, 'run request');
    const run = await deps.runner.request(id, req.params.name, actor(req, res, body.by).by, body.dryRun);
    res.status(202).json(presentRun(run));
  });

  for (const [action, approved] of [['approve', true], ['reject', false]] as const) {
    router.post(`/api/v1/runbooks/runs/:id/${action}`, async (req, res) => {
      const body = parseBody(decision, req.body ?? {}, action);
      const who = actor(req, res, body.by);
      if (anonymousScript(who, body.by)) throw badRequest(`${action}: by: required`, [{ field: 'by', problem: 'required' }]);
      res.json(await deps.runner.decide(req.params.id, { approved, by: who.by, ...(body.comment ? { comment: body.comment } : {}) }));
    });
  }

  return router;
}

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const runbookOperations: Record<string, Operation> = {};
