import type { IncomingMessage } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { severities } from '../alerts/severity.js';
import { badRequest, notFound, VigilError } from '../errors/errors.js';
import { tokenCheck } from '../http/auth.js';
import { isoTime, isoTimeOrNull, named } from '../http/api-schemas.js';
import { operation, route } from '../http/operation.js';
import { fieldPath } from '../http/validation.js';
import type { HeartbeatMonitors } from '../heartbeats/monitors.js';
import { describeSchedule } from '../heartbeats/schedule.js';
import { parseHeartbeatSpec, specObject as heartbeatSpecSchema, storedSpec, writtenForm } from '../rules/heartbeat-spec.js';
import type { Ping, PingKind } from '../heartbeats/transitions.js';
import { heartbeatLabels } from '../heartbeats/alert.js';
import { formatMatcher } from '../rules/matchers.js';
import type { HeartbeatRow, StoreReader } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { formatDuration } from '../time/duration.js';
import { actor } from './actor.js';
import { iso } from './present.js';

/** A ping's body is kept as the run's output up to this size; a larger one is refused (413). */
export const PING_BODY_LIMIT = 10 * 1024;

const when = isoTimeOrNull;
const heartbeatState = z.enum(['new', 'up', 'late', 'down', 'paused']);
const pingKinds = ['success', 'start', 'fail'] as const;

export const heartbeatSchema = named(
  'Heartbeat',
  z.object({
    name: z.string(),
    state: heartbeatState.describe('new (never pinged), up, late (past due, within the grace), down, or paused (by hand, or muted by a silence or maintenance window).'),
    paused: z.boolean().describe('Paused by hand.'),
    muted: z.string().nullable().describe('What mutes it (a silence or maintenance window) while not paused by hand; null when nothing does.'),
    origin: z.enum(['file', 'api']).describe('Defined in a rules file (`heartbeats:`) or through the API.'),
    file: z.string().nullable().describe('The rules file that defines it (origin file).'),
    schedule: z.string().nullable().describe('"every 5m" or "cron 0 3 * * * (Europe/Paris)"; null when the stored definition no longer parses.'),
    grace: z.string().nullable().describe('How long past due a ping may be before it is down.'),
    severity: z.enum(severities).nullable(),
    team: z.string().nullable(),
    service: z.string().nullable(),
    matchers: z.array(z.string()).describe('A delivered alert matching them (the Watchdog) counts as a ping.'),
    lastPingAt: when,
    lastPingKind: z.enum(pingKinds).nullable(),
    lastExitCode: z.number().int().nullable(),
    startedAt: when.describe('A run reported started and not yet finished.'),
    nextDueAt: when.describe('When the next successful ping is expected.'),
    lateSince: when,
    downSince: when,
    hasPingKey: z.boolean().describe('Whether it has a secret ping key (pings at /ping/KEY without a token).'),
    definition: z.record(z.string(), z.unknown()).describe('The definition written out in full, as POST /api/v1/heartbeats takes it.'),
    createdAt: isoTime,
    updatedAt: isoTime,
  }),
  'A heartbeat monitor: a job that pings on a schedule; a missed or failed ping opens an incident.',
);

const heartbeatDetail = named('HeartbeatDetail', heartbeatSchema.extend({ lastOutput: z.string().nullable().describe("The last ping's body (the run's output), at most 10 KB.") }));
const pingAddresses = {
  key: z.string().describe('The secret ping key: shown once, here.'),
  pingUrl: z.string().describe('Ping with the ingest token.'),
  keyUrl: z.string().describe('Ping with the key alone (no token).'),
};
const createdHeartbeat = heartbeatSchema.extend(pingAddresses);
const newKey = z.object({ name: z.string(), ...pingAddresses });
const pingAnswer = z.object({ ok: z.literal(true), heartbeat: z.string().describe("The monitor's name."), state: heartbeatState });

/** What the API shows of a monitor. `state` is `paused` when paused by hand or muted by a silence or maintenance window. */
export function presentHeartbeat(row: HeartbeatRow, mutedBy: (labels: Record<string, string>) => string | null): z.infer<typeof heartbeatSchema> {
  let spec;
  try {
    spec = storedSpec(row.spec);
  } catch {
    spec = null;
  }
  const muted = spec && !row.paused ? mutedBy(heartbeatLabels(spec)) : null;
  return {
    name: row.name,
    state: row.paused || muted ? 'paused' : row.state,
    paused: row.paused,
    muted,
    origin: row.origin,
    file: row.file,
    schedule: spec ? describeSchedule(spec) : null,
    grace: spec ? formatDuration(spec.grace) || '0s' : null,
    severity: spec?.severity ?? null,
    team: spec?.team ?? null,
    service: spec?.service ?? null,
    matchers: spec ? spec.matchers.map(formatMatcher) : [],
    lastPingAt: iso(row.lastPingAt),
    // The store keeps what a ping said: success, start or fail.
    lastPingKind: row.lastPingKind as PingKind | null,
    lastExitCode: row.lastExitCode,
    startedAt: iso(row.startedAt),
    nextDueAt: iso(row.dueAt),
    lateSince: row.state === 'late' ? iso(row.lateSince) : null,
    downSince: row.state === 'down' ? iso(row.downSince) : null,
    hasPingKey: row.keyHash !== null,
    definition: row.spec,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** Reads a ping's body as text, refusing more than the limit before it is all read. */
function readPingBody(req: IncomingMessage): Promise<string | null> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > PING_BODY_LIMIT) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > PING_BODY_LIMIT) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      resolve(text.length > 0 ? text : null);
    });
  });
}

const tooLarge = () => new VigilError('payload_too_large', `a ping body (the run's output) is at most ${PING_BODY_LIMIT} bytes`);

/** What the last path segment says: nothing (success), start, fail, or an exit code (0 is success). */
function pingKind(what: string | undefined): { kind: PingKind; exitCode: number | null } | null {
  if (what === undefined) return { kind: 'success', exitCode: null };
  if (what === 'start') return { kind: 'start', exitCode: null };
  if (what === 'fail') return { kind: 'fail', exitCode: null };
  if (/^\d{1,3}$/.test(what) && Number(what) <= 255) return { kind: Number(what) === 0 ? 'success' : 'fail', exitCode: Number(what) };
  return null;
}

/** The same answer for an unknown name, a wrong key and an unknown suffix: nothing tells which monitors exist. */
const noMonitor = () => notFound('no heartbeat monitor at this address');

const nameParam = { name: z.string().describe("The monitor's name.") };
const keyParam = { key: z.string().max(200).describe("The monitor's secret ping key.") };
const whatParam = {
  what: z
    .string()
    .regex(/^(start|fail|\d{1,3})$/)
    .describe('start (a run began), fail, or the exit code 0 to 255 (0 is success); anything else answers 404.'),
};

const pingDescription = (how: string) =>
  [
    how,
    "A POST's body is free text, the run's output (any content type, at most 10 KB, kept as the monitor's lastOutput); the route reads it itself, it is not JSON. GET and HEAD ping without a body.",
    'An unknown monitor, a wrong key and an unknown suffix all answer the same 404.',
  ].join(' ');

type PingRoute = { by: 'name' | 'key'; what: boolean; method: 'get' | 'post' };

const pingOperation = (id: string, { by, what, method }: PingRoute) =>
  operation({
    id,
    method,
    path: `${by === 'name' ? '/api/v1/heartbeats/:name/ping' : '/ping/:key'}${what ? '/:what' : ''}`,
    tag: 'heartbeats',
    summary: `${what ? 'Report a run started, failed or its exit code' : 'Ping: the job ran and succeeded'}${by === 'key' ? ', with the secret key' : ''}${method === 'get' ? ' (GET or HEAD)' : ''}`,
    description: pingDescription(
      by === 'name' ? 'Records a ping of the monitor named in the path.' : 'Records a ping of the monitor whose secret key is in the path: no token, the key is the credential.',
    ),
    access: by === 'name' ? 'ingest' : 'ping-key',
    params: { ...(by === 'name' ? nameParam : keyParam), ...(what ? whatParam : {}) },
    // The body is the run's output as text, read by readPingBody: no `body` schema (route() would parse it as JSON).
    ...(method === 'post' ? { bodyType: 'text/plain' as const } : {}),
    responses: { 200: { description: 'The ping was stored (HEAD: no body)', schema: pingAnswer } },
  });

const byQuery = z.object({ by: z.string().trim().min(1).max(200).optional().describe('Who acts (an API token script says who it acts for).') }).strict();

export const heartbeatOperations = {
  list: operation({
    id: 'listHeartbeats',
    method: 'get',
    path: '/api/v1/heartbeats',
    tag: 'heartbeats',
    summary: 'Heartbeat monitors and where each stands',
    access: 'api',
    responses: { 200: { description: 'Every monitor, from rules files and the API', schema: z.object({ heartbeats: z.array(heartbeatSchema) }) } },
  }),
  show: operation({
    id: 'getHeartbeat',
    method: 'get',
    path: '/api/v1/heartbeats/:name',
    tag: 'heartbeats',
    summary: "One monitor, with its last ping's output",
    access: 'api',
    params: nameParam,
    responses: { 200: { description: 'The monitor', schema: heartbeatDetail } },
  }),
  create: operation({
    id: 'createHeartbeat',
    method: 'post',
    path: '/api/v1/heartbeats',
    tag: 'heartbeats',
    summary: 'Create a monitor; the answer shows its secret ping key once',
    access: 'api',
    body: named('HeartbeatDefinition', heartbeatSpecSchema, 'A heartbeat monitor as written in a rules file (`heartbeats:`) or posted: exactly one of every (a duration) or cron (5 fields, in timeZone).'),
    bodyName: 'heartbeat',
    responses: { 201: { description: 'The monitor, its key and the addresses to ping', schema: createdHeartbeat } },
  }),
  pause: operation({
    id: 'pauseHeartbeat',
    method: 'post',
    path: '/api/v1/heartbeats/:name/pause',
    tag: 'heartbeats',
    summary: 'Pause a monitor: missed pings open nothing until it is resumed',
    access: 'api',
    params: nameParam,
    query: byQuery,
    responses: { 200: { description: 'The monitor', schema: heartbeatSchema } },
  }),
  resume: operation({
    id: 'resumeHeartbeat',
    method: 'post',
    path: '/api/v1/heartbeats/:name/resume',
    tag: 'heartbeats',
    summary: 'Resume a paused monitor',
    access: 'api',
    params: nameParam,
    responses: { 200: { description: 'The monitor', schema: heartbeatSchema } },
  }),
  rotateKey: operation({
    id: 'rotateHeartbeatKey',
    method: 'post',
    path: '/api/v1/heartbeats/:name/key',
    tag: 'heartbeats',
    summary: 'Make a new secret ping key (the old one stops working)',
    access: 'api',
    params: nameParam,
    responses: { 200: { description: 'The new key, shown once, and the addresses to ping', schema: newKey } },
  }),
  remove: operation({
    id: 'deleteHeartbeat',
    method: 'delete',
    path: '/api/v1/heartbeats/:name',
    tag: 'heartbeats',
    summary: 'Delete a monitor defined through the API',
    access: 'api',
    params: nameParam,
    query: byQuery,
    responses: { 204: { description: 'Deleted' } },
  }),
  ping: pingOperation('pingHeartbeat', { by: 'name', what: false, method: 'post' }),
  pingGet: pingOperation('pingHeartbeatGet', { by: 'name', what: false, method: 'get' }),
  pingWhat: pingOperation('reportHeartbeatRun', { by: 'name', what: true, method: 'post' }),
  pingWhatGet: pingOperation('reportHeartbeatRunGet', { by: 'name', what: true, method: 'get' }),
  pingByKey: pingOperation('pingHeartbeatByKey', { by: 'key', what: false, method: 'post' }),
  pingByKeyGet: pingOperation('pingHeartbeatByKeyGet', { by: 'key', what: false, method: 'get' }),
  pingByKeyWhat: pingOperation('reportHeartbeatRunByKey', { by: 'key', what: true, method: 'post' }),
  pingByKeyWhatGet: pingOperation('reportHeartbeatRunByKeyGet', { by: 'key', what: true, method: 'get' }),
};

/**
 * Pings: `POST|GET|HEAD /api/v1/heartbeats/:name/ping[/start|/fail|/:exitCode]` with the ingest token, and
 * `/ping/:key[/...]` with the monitor's secret key and no header. Answered after the ping is stored.
 */
export function heartbeatPingRoutes(monitors: HeartbeatMonitors, ingestTokens: readonly string[], clock: Clock): Router {
  const router = Router();
  const checkToken = tokenCheck(ingestTokens, 'ingest');

  const answer = async (req: Request, res: Response, what: string | undefined, record: (ping: Omit<Ping, 'via'>) => Promise<HeartbeatRow | null>) => {
    const kind = pingKind(what);
    if (!kind) throw noMonitor();
    const output = req.method === 'POST' ? await readPingBody(req) : null;
    const row = await record({ ...kind, at: clock.now(), output });
    if (!row) throw noMonitor();
    if (req.method === 'HEAD') res.status(200).end();
    else res.json({ ok: true, heartbeat: row.name, state: row.paused ? 'paused' : row.state } satisfies z.infer<typeof pingAnswer>);
  };

  const byName = async (_input: unknown, req: Request, res: Response) => {
    checkToken(req.headers.authorization);
    const name = String(req.params.name);
    await answer(req, res, req.params.what as string | undefined, (p) => monitors.ping(name, { ...p, via: 'ping' }));
  };
  const byKey = async (_input: unknown, req: Request, res: Response) => {
    const key = String(req.params.key);
    await answer(req, res, req.params.what as string | undefined, (p) => (key.length > 200 ? Promise.resolve(null) : monitors.pingByKey(key, p)));
  };
  // Express answers HEAD with the GET route.
  const ops = heartbeatOperations;
  for (const op of [ops.ping, ops.pingGet, ops.pingWhat, ops.pingWhatGet]) route(router, op, byName);
  for (const op of [ops.pingByKey, ops.pingByKeyGet, ops.pingByKeyWhat, ops.pingByKeyWhatGet]) route(router, op, byKey);
  return router;
}

/** Monitors through the API (VIGIL_API_TOKEN or a person's token): list, show, create, pause, resume, delete, new key. */
export function heartbeatRoutes(deps: {
  store: StoreReader;
  monitors: HeartbeatMonitors;
  mutedBy: (labels: Record<string, string>) => string | null;
  runbookNames: () => ReadonlySet<string>;
  publicUrl: string;
}): Router {
  const { store, monitors, mutedBy, runbookNames, publicUrl } = deps;
  const router = Router();
  const present = (row: HeartbeatRow) => presentHeartbeat(row, mutedBy);
  const pingUrls = (name: string, key: string) => ({
    pingUrl: `${publicUrl}/api/v1/heartbeats/${encodeURIComponent(name)}/ping`,
    keyUrl: `${publicUrl}/ping/${key}`,
  });
  const who = (req: Request, res: Response, by: string | undefined) => {
    const a = actor(req, res, by);
    return a.name ?? a.by;
  };
  const found = async (name: string) => {
    const row = await store.getHeartbeat(name);
    if (!row) throw notFound(`no heartbeat monitor named "${name}"`);
    return row;
  };
  const ops = heartbeatOperations;

  route(router, ops.list, async (_input, _req, res) => {
    res.json({ heartbeats: (await store.listHeartbeats()).map(present) });
  });

  route(router, ops.show, async (_input, req, res) => {
    const row = await found(String(req.params.name));
    res.json({ ...present(row), lastOutput: row.lastOutput });
  });

  // Mounted by hand, not with route(): parseHeartbeatSpec validates the body (its issues worded as they always
  // were, then the runbook names checked); the operation still declares the same zod schema for the document.
  router[ops.create.method](ops.create.path, async (req, res) => {
    if (req.body === undefined) throw badRequest('heartbeat: request body is empty', [{ field: '(body)', problem: 'required' }]);
    const parsed = parseHeartbeatSpec(req.body);
    if (!parsed.ok) {
      const problems = parsed.issues.slice(0, 20).map((i) => ({ field: fieldPath(i.path), problem: i.message }));
      throw badRequest(`heartbeat: ${problems[0]!.field}: ${problems[0]!.problem}`, problems);
    }
    const known = runbookNames();
    const missing = parsed.spec.runbooks.filter((r) => !known.has(r));
    if (missing.length > 0) throw badRequest(`heartbeat: runbooks: unknown runbook "${missing[0]}"`, [{ field: 'runbooks', problem: `unknown runbook "${missing[0]}"` }]);
    const { row, key } = await monitors.create(parsed.spec, writtenForm(parsed.spec));
    res.status(201).json({ ...present(row), key, ...pingUrls(row.name, key) } satisfies z.infer<typeof createdHeartbeat>);
  });

  route(router, ops.pause, async ({ query: q }, req, res) => {
    res.json(present(await monitors.pause(String(req.params.name), who(req, res, q.by))));
  });

  route(router, ops.resume, async (_input, req, res) => {
    res.json(present(await monitors.resume(String(req.params.name))));
  });

  route(router, ops.rotateKey, async (_input, req, res) => {
    const name = String(req.params.name);
    const key = await monitors.rotateKey(name);
    res.json({ name, key, ...pingUrls(name, key) } satisfies z.infer<typeof newKey>);
  });

  route(router, ops.remove, async ({ query: q }, req, res) => {
    await monitors.delete(String(req.params.name), who(req, res, q.by));
    res.status(204).end();
  });

  return router;
}
