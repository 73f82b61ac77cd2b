import type { Operation } from '../http/operation.js';
import type { IncomingMessage } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { badRequest, notFound, VigilError } from '../errors/errors.js';
import { tokenCheck } from '../http/auth.js';
import { fieldPath, parseQuery } from '../http/validation.js';
import type { HeartbeatMonitors } from '../heartbeats/monitors.js';
import { describeSchedule } from '../heartbeats/schedule.js';
import { parseHeartbeatSpec, storedSpec, writtenForm } from '../rules/heartbeat-spec.js';
import type { Ping, PingKind } from '../heartbeats/transitions.js';
import { heartbeatLabels } from '../heartbeats/alert.js';
import { formatMatcher } from '../rules/matchers.js';
import type { HeartbeatRow, StoreReader } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { formatDuration } from '../time/duration.js';
import { actor } from './actor.js';

/** A ping's body is kept as the run's output up to this size; a larger one is refused (413). */
export const PING_BODY_LIMIT = 10 * 1024;

/** What the API shows of a monitor. `state` is `paused` when paused by hand or muted by a silence or maintenance window. */
export function presentHeartbeat(row: HeartbeatRow, mutedBy: (labels: Record<string, string>) => string | null) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
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
    lastPingKind: row.lastPingKind,
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
    else res.json({ ok: true, heartbeat: row.name, state: row.paused ? 'paused' : row.state });
  };

  const byName = async (req: Request, res: Response) => {
    checkToken(req.headers.authorization);
    const name = String(req.params.name);
    await answer(req, res, req.params.what as string | undefined, (p) => monitors.ping(name, { ...p, via: 'ping' }));
  };
  const byKey = async (req: Request, res: Response) => {
    const key = String(req.params.key);
    await answer(req, res, req.params.what as string | undefined, (p) => (key.length > 200 ? Promise.resolve(null) : monitors.pingByKey(key, p)));
  };
  for (const path of ['/api/v1/heartbeats/:name/ping', '/api/v1/heartbeats/:name/ping/:what']) router.route(path).get(byName).post(byName);
  for (const path of ['/ping/:key', '/ping/:key/:what']) router.route(path).get(byKey).post(byKey);
  return router;
}

const byQuery = z.object({ by: z.string().trim().min(1).max(200).optional() }).strict();

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
  const who = (req: Request, res: Response) => {
    const q = parseQuery(byQuery, req.query);
    const a = actor(req, res, q.by);
    return a.name ?? a.by;
  };
  const found = async (name: string) => {
    const row = await store.getHeartbeat(name);
    if (!row) throw notFound(`no heartbeat monitor named "${name}"`);
    return row;
  };

  router.get('/api/v1/heartbeats', async (_req, res) => {
    res.json({ heartbeats: (await store.listHeartbeats()).map(present) });
  });

  router.get('/api/v1/heartbeats/:name', async (req, res) => {
    const row = await found(req.params.name);
    res.json({ ...present(row), lastOutput: row.lastOutput });
  });

  router.post('/api/v1/heartbeats', async (req, res) => {
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
    res.status(201).json({ ...present(row), key, ...pingUrls(row.name, key) });
  });

  router.post('/api/v1/heartbeats/:name/pause', async (req, res) => {
    res.json(present(await monitors.pause(req.params.name, who(req, res))));
  });

  router.post('/api/v1/heartbeats/:name/resume', async (req, res) => {
    res.json(present(await monitors.resume(req.params.name)));
  });

  router.post('/api/v1/heartbeats/:name/key', async (req, res) => {
    const key = await monitors.rotateKey(req.params.name);
    res.json({ name: req.params.name, key, ...pingUrls(req.params.name, key) });
  });

  router.delete('/api/v1/heartbeats/:name', async (req, res) => {
    await monitors.delete(req.params.name, who(req, res));
    res.status(204).end();
  });

  return router;
}

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const heartbeatOperations: Record<string, Operation> = {};
