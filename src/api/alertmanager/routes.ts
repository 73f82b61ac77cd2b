import { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { z } from 'zod';
import { badRequest, notFound, VigilError } from '../../errors/errors.js';
import type { EnginePort } from '../../incidents/engine.js';
import { errorAnswer, named } from '../../http/api-schemas.js';
import { operation, route, type Answer } from '../../http/operation.js';
import { compileMatcher, formatMatcher, matchesAll, MatcherError, parseMatchers } from '../../rules/matchers.js';
import { firingAlertPages } from '../firing-alerts.js';
import type { RuleSet } from '../../rules/ruleset.js';
import { compileSilence, silenceMatcherProblem, silenceState } from '../../rules/silences.js';
import type { AlertRow, StoreReader } from '../../store/types.js';
import type { Clock } from '../../time/clock.js';
import { instant } from '../../time/rfc3339.js';
import { actor, anonymousScript } from '../actor.js';
import {
  alertGroupSchema,
  alertmanagerStatusSchema,
  amAlert,
  amReceiverSchema,
  amSilence,
  gettableAlertSchema,
  gettableSilenceSchema,
  matcherOf,
  type AmAlert,
  type AmSilence,
} from './shapes.js';

/**
 * The read and silence side of Alertmanager's API v2 on its own paths (POST /api/v2/alerts is an ingest door):
 * amtool and Grafana's Alertmanager data source list Vigil's firing alerts and groups and manage its silences as
 * they would Alertmanager's. Each incident is an alert group; its team is the receiver. Errors are answered the
 * way Alertmanager answers them, as a JSON string.
 */

export interface AlertmanagerApiDeps {
  store: StoreReader;
  engine: EnginePort;
  clock: Clock;
  rules: () => RuleSet;
  version: string;
}

/** The receiver of incidents without a team. */
const DEFAULT_RECEIVER = 'vigil';

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const filters = z
  .union([z.string(), z.array(z.string()).max(64)])
  .transform((v) => (typeof v === 'string' ? [v] : v))
  .transform((texts, ctx) => {
    try {
      return texts.flatMap((t) => parseMatchers(t)).map(compileMatcher);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: err instanceof MatcherError ? err.message : String(err) });
      return z.NEVER;
    }
  })
  .describe('Label matchers (alertname="X", instance=~"db-.*"), the parameter repeated for several; all must match');
const receiverPattern = z
  .string()
  .max(200)
  .transform((v, ctx) => {
    try {
      return new RegExp(`^(?:${v})$`);
    } catch {
      ctx.addIssue({ code: 'custom', message: `bad receiver regular expression ${JSON.stringify(v)}` });
      return z.NEVER;
    }
  })
  .describe('A regular expression the receiver (the incident\'s team) must match whole');

const alertsQuery = z.object({
  active: flag.default(true).describe('Include alerts neither silenced nor inhibited (default true)'),
  silenced: flag.default(true).describe('Include silenced alerts (default true)'),
  inhibited: flag.default(true).describe('Include inhibited alerts (default true)'),
  unprocessed: flag.default(true).describe("Accepted for Alertmanager's clients; Vigil has no unprocessed alerts (default true)"),
  filter: filters.optional(),
  receiver: receiverPattern.optional(),
});
const groupsQuery = alertsQuery.omit({ unprocessed: true });
const silencesQuery = z.object({ filter: filters.optional() });

const amMatcherBody = z.object({
  name: z.string().min(1),
  value: z.string(),
  isRegex: z.boolean(),
  isEqual: z.boolean().default(true).describe('false negates the matcher (!= or !~)'),
});
const postableSilence = named(
  'PostableSilence',
  z.object({
    id: z.string().optional().describe('The silence this one replaces (ended; the new one gets its own id)'),
    matchers: z.array(amMatcherBody).min(1).max(64),
    startsAt: instant,
    endsAt: instant,
    createdBy: z.string().trim().min(1).max(200),
    comment: z.string().trim().min(1).max(2000),
  }),
  "A silence to create, or with an id to update, in Alertmanager's postableSilence shape.",
);

const silenceCreated = z.object({ silenceID: z.string() });
const silenceIdParam = { id: z.string().describe('The silence id') };

/**
 * The API's door answers before these routes do, in Vigil's own error envelope: a missing or wrong credential, a
 * cross-site write, a body that is not JSON. Everything the routes refuse is Alertmanager's JSON string.
 */
const vigilDoor: Record<number, Answer> = {
  401: { description: "No valid credential (Vigil's error envelope, from the API's door)", schema: errorAnswer },
  403: { description: "A cross-site write refused (Vigil's error envelope, from the API's door)", schema: errorAnswer },
};
const vigilBody: Record<number, Answer> = {
  400: {
    description: "Alertmanager's JSON string naming what is refused; Vigil's error envelope when the body is not JSON",
    schema: z.union([z.string(), errorAnswer]),
  },
  413: { description: "The body is larger than the server's limit (Vigil's error envelope)", schema: errorAnswer },
  415: { description: "The body is not application/json (Vigil's error envelope)", schema: errorAnswer },
};

export const alertmanagerOperations = {
  alerts: operation({
    id: 'listAlertmanagerAlerts',
    method: 'get',
    path: '/api/v2/alerts',
    tag: 'alertmanager',
    summary: "Firing alerts in Alertmanager's shape, filtered as Alertmanager filters (amtool alert, Grafana)",
    access: 'api',
    query: alertsQuery,
    responses: { 200: { description: 'The firing alerts', schema: z.array(gettableAlertSchema) }, ...vigilDoor },
    errors: 'alertmanager',
  }),
  groups: operation({
    id: 'listAlertmanagerAlertGroups',
    method: 'get',
    path: '/api/v2/alerts/groups',
    tag: 'alertmanager',
    summary: "Firing alerts grouped by incident, each group with its labels and receiver (the incident's team)",
    access: 'api',
    query: groupsQuery,
    responses: { 200: { description: 'One group per incident with firing alerts', schema: z.array(alertGroupSchema) }, ...vigilDoor },
    errors: 'alertmanager',
  }),
  silences: operation({
    id: 'listAlertmanagerSilences',
    method: 'get',
    path: '/api/v2/silences',
    tag: 'alertmanager',
    summary: 'Silences not yet ended and the latest ended ones: active ending soonest first, then pending, then expired',
    access: 'api',
    query: silencesQuery,
    responses: { 200: { description: 'The silences', schema: z.array(gettableSilenceSchema) }, ...vigilDoor },
    errors: 'alertmanager',
  }),
  silence: operation({
    id: 'getAlertmanagerSilence',
    method: 'get',
    path: '/api/v2/silence/:id',
    tag: 'alertmanager',
    summary: 'One silence',
    access: 'api',
    params: silenceIdParam,
    responses: { 200: { description: 'The silence', schema: gettableSilenceSchema }, ...vigilDoor },
    errors: 'alertmanager',
  }),
  postSilence: operation({
    id: 'postAlertmanagerSilence',
    method: 'post',
    path: '/api/v2/silences',
    tag: 'alertmanager',
    summary: 'Create a silence, or replace one (with its id: the old one ends, the new one has its own id)',
    access: 'api',
    body: postableSilence,
    bodyName: 'silence',
    responses: {
      200: { description: "The new silence's id", schema: silenceCreated },
      ...vigilDoor,
      ...vigilBody,
    },
    errors: 'alertmanager',
  }),
  expireSilence: operation({
    id: 'expireAlertmanagerSilence',
    method: 'delete',
    path: '/api/v2/silence/:id',
    tag: 'alertmanager',
    summary: 'Expire a silence now',
    access: 'api',
    params: silenceIdParam,
    responses: { 200: { description: 'Expired (an empty body, as Alertmanager answers)' }, ...vigilDoor },
    errors: 'alertmanager',
  }),
  receivers: operation({
    id: 'listAlertmanagerReceivers',
    method: 'get',
    path: '/api/v2/receivers',
    tag: 'alertmanager',
    summary: "The receivers: Vigil's teams, and vigil for incidents without one",
    access: 'api',
    responses: { 200: { description: 'The receivers, by name', schema: z.array(amReceiverSchema) }, ...vigilDoor },
    errors: 'alertmanager',
  }),
  status: operation({
    id: 'getAlertmanagerStatus',
    method: 'get',
    path: '/api/v2/status',
    tag: 'alertmanager',
    summary: "Alertmanager's status (Grafana's health check): version, uptime, and Vigil's routing as configuration",
    access: 'api',
    responses: { 200: { description: 'The status', schema: alertmanagerStatusSchema }, ...vigilDoor },
    errors: 'alertmanager',
  }),
};

export function alertmanagerRoutes(deps: AlertmanagerApiDeps): Router {
  const { store, engine, clock } = deps;
  const started = clock.now();
  const router = Router();

  /** The firing alerts with their receiver (their incident's team), filtered as Alertmanager filters. */
  async function alerts(q: z.output<typeof groupsQuery>): Promise<{ row: AlertRow; shown: AmAlert; groupKey: string }[]> {
    const now = clock.now();
    const active = (await store.listSilences(now)).filter((s) => silenceState(s, now) === 'active').map(compileSilence);
    // The label filter first: the alerts it leaves are the only ones whose incident is read and shape built.
    const firing: AlertRow[] = [];
    for await (const page of firingAlertPages(store)) firing.push(...page.filter((a) => !q.filter || matchesAll(q.filter, (name) => a.labels[name])));
    const incidents = await store.incidentsByIds([...new Set(firing.map((a) => a.incidentId))]);
    const byId = new Map(incidents.map((i) => [i.id, i]));
    const out: { row: AlertRow; shown: AmAlert; groupKey: string }[] = [];
    for (const a of firing) {
      const incident = byId.get(a.incidentId);
      const shown = amAlert(a, incident?.team ?? DEFAULT_RECEIVER, active);
      const { state, silencedBy, inhibitedBy } = shown.status;
      if (!q.active && state === 'active') continue;
      if (!q.silenced && silencedBy.length > 0) continue;
      if (!q.inhibited && inhibitedBy.length > 0) continue;
      if (q.receiver && !q.receiver.test(shown.receivers[0]!.name)) continue;
      out.push({ row: a, shown, groupKey: incident?.groupKey ?? '' });
    }
    return out;
  }

  route(router, alertmanagerOperations.alerts, async ({ query }, _req, res) => {
    res.json((await alerts(query)).map((a) => a.shown));
  });

  route(router, alertmanagerOperations.groups, async ({ query }, _req, res) => {
    const byIncident = new Map<number, { groupKey: string; alerts: AmAlert[] }>();
    for (const { row, shown, groupKey } of await alerts(query)) {
      const group = byIncident.get(row.incidentId);
      if (group) group.alerts.push(shown);
      else byIncident.set(row.incidentId, { groupKey, alerts: [shown] });
    }
    const groups: z.infer<typeof alertGroupSchema>[] = [...byIncident.values()].map((g) => ({
      labels: groupLabels(g.groupKey) ?? commonLabels(g.alerts),
      receiver: g.alerts[0]!.receivers[0]!,
      alerts: g.alerts,
    }));
    res.json(groups);
  });

  route(router, alertmanagerOperations.silences, async ({ query: q }, _req, res) => {
    const now = clock.now();
    // Every silence that has not ended, and the latest ended ones.
    const rows = new Map([...(await store.listSilences()), ...(await store.listSilences(now))].map((s) => [s.id, s]));
    const shown = [...rows.values()].map((s) => amSilence(s, now));
    const wanted = q.filter ?? [];
    res.json(shown.filter((s) => wanted.every((f) => f.matches(equalityLabels(s)[f.name] ?? ''))).sort(bySilenceState));
  });

  route(router, alertmanagerOperations.silence, async (_input, req, res) => {
    const id = String(req.params.id);
    const silence = await store.getSilence(id);
    if (!silence) throw notFound(`silence ${id} not found`);
    res.json(amSilence(silence, clock.now()));
  });

  route(router, alertmanagerOperations.postSilence, async ({ body }, req, res) => {
    const now = clock.now();
    const matchers = body.matchers.map(matcherOf);
    const problem = silenceMatcherProblem(matchers);
    if (problem) throw badRequest(problem);
    if (body.endsAt <= body.startsAt) throw badRequest('failed to create silence: start time must be before end time');
    if (body.endsAt <= now) throw badRequest('failed to create silence: end time can\'t be in the past');
    const who = actor(req, res, body.createdBy);
    if (anonymousScript(who, body.createdBy)) throw badRequest('createdBy: required');
    const input = { matchers: matchers.map(formatMatcher), startsAt: body.startsAt, endsAt: body.endsAt, createdBy: who.name ?? body.createdBy, comment: body.comment };
    // An update ends the old silence and stores the new one in one write (the new one has its own id).
    const silence = body.id ? await engine.replaceSilence(body.id, input, who.name ?? who.by) : await engine.createSilence(input);
    const created: z.infer<typeof silenceCreated> = { silenceID: silence.id };
    res.json(created);
  });

  route(router, alertmanagerOperations.expireSilence, async (_input, req, res) => {
    const id = String(req.params.id);
    const who = actor(req, res);
    const silence = await store.getSilence(id);
    if (!silence) throw notFound(`silence ${id} not found`);
    if (silenceState(silence, clock.now()) === 'expired') throw badRequest('silence already expired');
    await engine.expireSilence(silence.id, who.name ?? who.by);
    res.status(200).end();
  });

  route(router, alertmanagerOperations.receivers, (_input, _req, res) => {
    const shown: z.infer<typeof amReceiverSchema>[] = receivers(deps.rules()).map((name) => ({ name }));
    res.json(shown);
  });

  route(router, alertmanagerOperations.status, (_input, _req, res) => {
    const status: z.infer<typeof alertmanagerStatusSchema> = {
      cluster: { status: 'disabled', peers: [] },
      versionInfo: { version: deps.version, revision: '', branch: '', buildUser: '', buildDate: '', goVersion: `vigil (node ${process.version})` },
      config: { original: routingSummary(deps.rules()) },
      uptime: new Date(started).toISOString(),
    };
    res.json(status);
  });

  router.use('/api/v2', answerLikeAlertmanager);
  return router;
}

/** Alertmanager's silence filter reads a silence as the labels its equality matchers name. */
function equalityLabels(s: AmSilence): Record<string, string> {
  return Object.fromEntries(s.matchers.filter((m) => m.isEqual && !m.isRegex).map((m) => [m.name, m.value]));
}

const stateOrder = { active: 0, pending: 1, expired: 2 } as const;

/** Alertmanager's order: active ones ending soonest first, then pending ones starting soonest, then expired ones, latest first. */
function bySilenceState(a: AmSilence, b: AmSilence): number {
  const byState = stateOrder[a.status.state] - stateOrder[b.status.state];
  if (byState !== 0) return byState;
  if (a.status.state === 'active') return Date.parse(a.endsAt) - Date.parse(b.endsAt);
  if (a.status.state === 'pending') return Date.parse(a.startsAt) - Date.parse(b.startsAt);
  return Date.parse(b.endsAt) - Date.parse(a.endsAt);
}

/** The labels an incident was grouped by, read back from its group key ({alertname="X",service="y"}); null for another form. */
function groupLabels(groupKey: string): Record<string, string> | null {
  const m = /^\{(.*)\}$/.exec(groupKey);
  if (!m) return null;
  const out: Record<string, string> = {};
  const pair = /([a-zA-Z_][\w.]*)=("(?:[^"\\]|\\.)*")(?:,|$)/gy;
  let rest = 0;
  for (let p = pair.exec(m[1]!); p; p = pair.exec(m[1]!)) {
    out[p[1]!] = JSON.parse(p[2]!) as string;
    rest = pair.lastIndex;
  }
  return rest === m[1]!.length ? out : null;
}

/** The labels every alert of a group shares: the group's labels when its key does not say them. */
function commonLabels(group: readonly AmAlert[]): Record<string, string> {
  const [first, ...rest] = group;
  return Object.fromEntries(Object.entries(first!.labels).filter(([k, v]) => rest.every((a) => a.labels[k] === v)));
}

function receivers(rules: RuleSet): string[] {
  return [...new Set([...rules.teams.keys(), DEFAULT_RECEIVER])].sort();
}

/** What /api/v2/status shows as the configuration: Vigil routes by team, through its rules files. */
function routingSummary(rules: RuleSet): string {
  const names = receivers(rules);
  return [
    '# Vigil: alerts are routed by its rules files (rules/); each team is a receiver.',
    'route:',
    `  receiver: ${rules.defaultTeam ?? DEFAULT_RECEIVER}`,
    '  group_by: [alertname]',
    'receivers:',
    ...names.map((n) => `  - name: ${JSON.stringify(n)}`),
    '',
  ].join('\n');
}

/** Alertmanager's clients read an error as a JSON string body. */
const answerLikeAlertmanager: ErrorRequestHandler = (err: unknown, _req: Request, res: Response, next) => {
  if (!(err instanceof VigilError) || res.headersSent) return next(err);
  if (err.retryAfter) res.setHeader('Retry-After', String(err.retryAfter));
  res.status(err.status).json(err.message);
};
