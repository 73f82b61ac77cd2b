import { iso } from './present.js';
import { Router, type Request, type RequestHandler } from 'express';
import { actor, anonymousScript } from './actor.js';
import { z } from 'zod';
import { badRequest, notFound } from '../errors/errors.js';
import { isoTime, isoTimeOrNull, named } from '../http/api-schemas.js';
import { operation, route } from '../http/operation.js';
import { formatDuration } from '../time/duration.js';
import type { RunbooksConfig } from '../runbooks/config.js';
import type { LiveRunbooks } from '../runbooks/live-runbooks.js';
import type { RunbookRunner } from '../runbooks/runner.js';
import { failureActions, stepTypes } from '../runbooks/types.js';
import type { ApprovalRow, RunbookRunRow, StoreReader } from '../store/types.js';

export interface RunbookApiDeps {
  live: LiveRunbooks;
  runner: RunbookRunner;
  config: RunbooksConfig;
}

const byField = z.string().trim().min(1).max(200).optional();

const runRequest = z
  .object({
    by: byField.describe('Who asks (an API token script says who it acts for).'),
    dryRun: z.boolean().default(false).describe('Record what the steps would do, doing nothing.'),
  })
  .strict();

const decision = z
  .object({
    by: byField.describe('Required unless a person signed in decides (they decide as themselves).'),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict();

const runsQuery = z.object({
  incident: z.coerce.number().int().positive().optional().describe("Only this incident's runs."),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const when = isoTimeOrNull;
/** What a finished run came to (the executor's outcomes, and the runner's refused and interrupted). */
const runOutcomes = ['succeeded', 'failed', 'escalate', 'dry_run', 'aborted', 'refused', 'interrupted'] as const;
type RunOutcome = (typeof runOutcomes)[number];

const approvalSchema = z.object({
  step: z.string(),
  prompt: z.string(),
  status: z.enum(['pending', 'approved', 'rejected', 'expired']),
  decidedBy: z.string().nullable(),
  comment: z.string().nullable(),
  expiresAt: isoTime,
  decidedAt: when,
});

export const runbookRunSchema = named(
  'RunbookRun',
  z.object({
    id: z.string(),
    incidentId: z.number().int().nullable(),
    runbook: z.string(),
    target: z.string().describe('The rate-limit target (rate_limit.key rendered from the alert).'),
    trigger: z.enum(['rule', 'manual']),
    requestedBy: z.string().nullable(),
    status: z.enum(['queued', 'running', 'done']),
    outcome: z.enum(runOutcomes).nullable().describe('Null until done.'),
    dryRun: z.boolean(),
    summary: z.string().nullable().describe('In words: the refusal reason, or the failing step.'),
    createdAt: isoTime,
    startedAt: when,
    endedAt: when,
    approvals: z.array(approvalSchema).describe('Steps that waited (or wait) for a person to approve.'),
  }),
  'One run of a runbook, by a rule or by hand.',
);

const loadedRunbook = named(
  'Runbook',
  z.object({
    name: z.string(),
    description: z.string().nullable(),
    file: z.string(),
    dryRun: z.boolean().describe('Its runs only record what they would do (the runbook or the whole configuration says so).'),
    concurrency: z.number().int(),
    running: z.number().int().describe('Runs of it going on now, here.'),
    rateLimit: z.object({ max: z.number().int(), per: z.string() }).nullable(),
    steps: z.array(z.object({ name: z.string(), type: z.enum(stepTypes), onFailure: z.enum(failureActions), timeout: z.string() })),
  }),
);

const runbookList = z.object({
  enabled: z.boolean(),
  dryRun: z.boolean().describe('Every run is a dry run (the configuration says so).'),
  runbooks: z.array(loadedRunbook),
});

const decided = z.object({ runId: z.string(), step: z.string(), approved: z.boolean() });

const runIdParam = { id: z.string().describe("The run's id (its first 8 characters also do).") };

const decisionOperation = (id: string, action: 'approve' | 'reject', summary: string) =>
  operation({
    id,
    method: 'post',
    path: `/api/v1/runbooks/runs/:id/${action}`,
    tag: 'runbooks',
    summary,
    access: 'api',
    params: runIdParam,
    body: decision,
    bodyName: action,
    bodyOptional: true,
    responses: { 200: { description: 'The decision: the run goes on, or stops', schema: decided } },
  });

export const runbookOperations = {
  list: operation({
    id: 'listRunbooks',
    method: 'get',
    path: '/api/v1/runbooks',
    tag: 'runbooks',
    summary: 'The runbooks loaded, their steps, and whether runs are live or dry',
    access: 'api',
    responses: { 200: { description: 'The runbooks', schema: runbookList } },
  }),
  runs: operation({
    id: 'listRunbookRuns',
    method: 'get',
    path: '/api/v1/runbooks/runs',
    tag: 'runbooks',
    summary: 'Runbook runs, newest first',
    access: 'api',
    query: runsQuery,
    responses: { 200: { description: 'Runs with their approvals', schema: z.object({ runs: z.array(runbookRunSchema) }) } },
  }),
  run: operation({
    id: 'getRunbookRun',
    method: 'get',
    path: '/api/v1/runbooks/runs/:id',
    tag: 'runbooks',
    summary: 'One runbook run with its approvals',
    access: 'api',
    params: { id: z.string().describe("The run's id.") },
    responses: { 200: { description: 'The run', schema: runbookRunSchema } },
  }),
  request: operation({
    id: 'runRunbook',
    method: 'post',
    path: '/api/v1/incidents/:id/runbooks/:name/run',
    tag: 'runbooks',
    summary: 'Run a runbook for an incident by hand (queued; the answer does not wait for it)',
    access: 'api',
    params: { id: z.number().int().positive(), name: z.string().describe("The runbook's name.") },
    body: runRequest,
    bodyName: 'run request',
    bodyOptional: true,
    responses: { 202: { description: 'The run, queued', schema: runbookRunSchema } },
  }),
  approve: decisionOperation('approveRunbookStep', 'approve', 'Approve the step a run waits on'),
  reject: decisionOperation('rejectRunbookStep', 'reject', 'Reject the step a run waits on: the run stops'),
};

function presentRun(r: RunbookRunRow, approvals: ApprovalRow[] = []): z.infer<typeof runbookRunSchema> {
  return {
    id: r.id,
    incidentId: r.incidentId,
    runbook: r.runbook,
    target: r.targetKey,
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    status: r.status,
    // The runner records only these (the store's column is text).
    outcome: r.outcome as RunOutcome | null,
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

  const ops = runbookOperations;

  route(router, ops.list, (_input, _req, res) => {
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
    } satisfies z.infer<typeof runbookList>);
  });

  route(router, ops.runs, async ({ query: q }, _req, res) => {
    const runs = await store.listRunbookRuns({ ...(q.incident === undefined ? {} : { incidentId: q.incident }), limit: q.limit });
    const approvals = await store.approvalsOfRuns(runs.map((r) => r.id));
    res.json({ runs: runs.map((r) => presentRun(r, approvals.filter((a) => a.runId === r.id))) });
  });

  route(router, ops.run, async (_input, req, res) => {
    const id = String(req.params.id);
    const run = await store.getRunbookRun(id);
    if (!run) throw notFound(`runbook run ${id} not found`);
    res.json(presentRun(run, await store.approvalsOf(run.id)));
  });

  // The incident id is checked before the body is read, as it always was.
  const incidentId = (req: Request) => {
    const id = Number(req.params.id);
    if (!Number.isSafeInteger(id) || id <= 0) throw badRequest('incident id must be a positive integer', [{ field: 'id', problem: 'not a positive integer' }]);
    return id;
  };
  const checkIncidentId: RequestHandler = (req, _res, next) => {
    incidentId(req);
    next();
  };
  route(
    router,
    ops.request,
    async ({ body }, req, res) => {
      const run = await deps.runner.request(incidentId(req), String(req.params.name), actor(req, res, body.by).by, body.dryRun);
      res.status(202).json(presentRun(run));
    },
    checkIncidentId,
  );

  for (const [action, approved] of [['approve', true], ['reject', false]] as const) {
    route(router, ops[action], async ({ body }, req, res) => {
      const who = actor(req, res, body.by);
      if (anonymousScript(who, body.by)) throw badRequest(`${action}: by: required`, [{ field: 'by', problem: 'required' }]);
      res.json(await deps.runner.decide(String(req.params.id), { approved, by: who.by, ...(body.comment ? { comment: body.comment } : {}) }) satisfies z.infer<typeof decided>);
    });
  }

  return router;
}
