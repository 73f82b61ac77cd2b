import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { badRequest, notFound } from '../errors/errors.js';
import { requestedSpan } from './requested-span.js';
import type { StoredOverrides } from '../overrides/stored-overrides.js';
import type { OncallOverrideRow } from '../store/types.js';
import { actor } from './actor.js';
import { operation, route } from '../http/operation.js';
import { isoTime, named } from '../http/api-schemas.js';
import { instant } from '../time/rfc3339.js';
import type { RuleSet } from '../rules/ruleset.js';
import { teamOnCall, whoIsOnCall, type OnCall } from '../oncall/who-is-on-call.js';

const query = z.object({
  team: z.string().min(1).max(100).optional().describe('Only this team (404 when there is none).'),
  at: instant.optional().describe('RFC 3339; default now.'),
  shifts: z.coerce.number().int().min(0).max(10).optional().describe("With shifts=N, each tier also shows its shift's start, its schedule's zone and the N shifts after it."),
});

const MAX_OVERRIDE_MS = 366 * 86_400_000;

const newOverride = z
  .object({
    schedule: z.string().min(1).max(100).describe('A schedule of rules/.'),
    person: z.string().min(1).max(64).describe('Who is on call instead: a person id of rules/.'),
    startsAt: instant.optional().describe('RFC 3339; default now.'),
    endsAt: instant.optional().describe('RFC 3339; or give duration. At most 366 days after startsAt.'),
    duration: z.string().optional().describe('Instead of endsAt: how long from startsAt (default now), e.g. 2h.'),
    reason: z.string().trim().max(500).optional(),
    by: z.string().trim().min(1).max(200).optional().describe('Who asks; people signed in with their own token are recorded as themselves.'),
  })
  .strict();

export const overrideSchema = named(
  'OncallOverride',
  z.object({
    id: z.string(),
    schedule: z.string(),
    person: z.string(),
    startsAt: isoTime,
    endsAt: isoTime,
    createdBy: z.string(),
    reason: z.string().nullable(),
    createdAt: isoTime,
  }),
  'Someone on call instead of the schedule of rules/ for a while ("take my shift for two hours").',
);

const personRef = z.object({ id: z.string(), name: z.string() }).nullable().describe('null: nobody is on call (no coverage).');
const layer = z.string().nullable().describe('The layer whose rotation put them on call; null for an override or when nobody is.');
const shiftSchema = z.object({
  person: personRef,
  layer,
  override: z.boolean(),
  from: isoTime,
  until: isoTime,
});
const tierSchema = z.object({
  tier: z.number().int().describe('1, 2 or 3: the escalation tier this schedule is paged in.'),
  schedule: z.string(),
  person: personRef,
  layer,
  override: z.boolean().describe('On call by an override.'),
  until: isoTime.describe('When this shift ends.'),
  from: isoTime.optional().describe('With shifts: when this shift started.'),
  timeZone: z.string().optional().describe("With shifts: the schedule's IANA time zone."),
  next: z.array(shiftSchema).optional().describe('With shifts=N: the N shifts after this one (fewer when the schedule repeats no further).'),
});
const oncallSchema = named(
  'OnCall',
  z.object({
    at: isoTime,
    teams: z.array(z.object({ team: z.string(), tiers: z.array(tierSchema) })),
  }),
  'Who is on call per team and tier at an instant.',
);

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const oncallOperations = {
  show: operation({
    id: 'getOnCall',
    method: 'get',
    path: '/api/v1/oncall',
    tag: 'oncall',
    summary: 'Who is on call per team and tier, now or at a given time',
    access: 'api',
    query,
    responses: { 200: { description: 'Who is on call', schema: oncallSchema } },
  }),
  listOverrides: operation({
    id: 'listOncallOverrides',
    method: 'get',
    path: '/api/v1/oncall/overrides',
    tag: 'oncall',
    summary: 'On-call overrides that have not ended',
    access: 'api',
    responses: { 200: { description: 'The overrides, by start', schema: z.object({ overrides: z.array(overrideSchema) }) } },
  }),
  createOverride: operation({
    id: 'createOncallOverride',
    method: 'post',
    path: '/api/v1/oncall/overrides',
    tag: 'oncall',
    summary: 'Put someone on call instead of a schedule for a while',
    access: 'api',
    body: newOverride,
    bodyName: 'override',
    responses: { 201: { description: 'The override', schema: overrideSchema } },
  }),
  deleteOverride: operation({
    id: 'deleteOncallOverride',
    method: 'delete',
    path: '/api/v1/oncall/overrides/:id',
    tag: 'oncall',
    summary: 'Remove an on-call override: the schedule applies again',
    access: 'api',
    params: { id: z.string().describe('The override id') },
    responses: { 200: { description: 'The id removed', schema: z.object({ deleted: z.string() }) } },
  }),
};

/** Who is on call per team and tier, from the schedules in rules/ with the overrides made here laid over them (VIGIL_API_TOKEN). */
export function oncallRoutes(rules: () => RuleSet, clock: Clock, overrides: StoredOverrides): Router {
  const router = Router();
  const presentOverride = (o: OncallOverrideRow): z.infer<typeof overrideSchema> => ({
    id: o.id,
    schedule: o.schedule,
    person: o.person,
    startsAt: new Date(o.startsAt).toISOString(),
    endsAt: new Date(o.endsAt).toISOString(),
    createdBy: o.createdBy,
    reason: o.reason,
    createdAt: new Date(o.createdAt).toISOString(),
  });

  route(router, oncallOperations.listOverrides, (_input, _req, res) => {
    res.json({ overrides: overrides.list(clock.now()).map(presentOverride) });
  });

  route(router, oncallOperations.createOverride, async ({ body }, req, res) => {
    const { startsAt, endsAt } = requestedSpan(body, clock.now());
    if (endsAt - startsAt > MAX_OVERRIDE_MS) throw badRequest('endsAt: an override lasts at most 366 days (change the schedule in rules/ for longer)', [{ field: 'endsAt', problem: 'too long' }]);
    const who = actor(req, res, body.by);
    const row = await overrides.create(rules(), { schedule: body.schedule, person: body.person, startsAt, endsAt, createdBy: who.name ?? who.by, reason: body.reason || null });
    res.status(201).json(presentOverride(row));
  });

  route(router, oncallOperations.deleteOverride, async (_input, req, res) => {
    const id = String(req.params.id);
    await overrides.remove(id);
    res.json({ deleted: id });
  });

  route(router, oncallOperations.show, ({ query: q }, _req, res) => {
    const set = rules();
    const at = q.at ?? clock.now();
    let teams = [...set.teams.values()];
    if (q.team !== undefined) {
      const team = set.teams.get(q.team);
      if (!team) throw notFound(`team "${q.team}" not found`);
      teams = [team];
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    const who = (id: string | null) => {
      const person = id === null ? undefined : set.people.get(id);
      return person ? { id: person.id, name: person.name } : null;
    };
    const shift = (s: OnCall): z.infer<typeof shiftSchema> => ({ person: who(s.person), layer: s.layer, override: s.override, from: iso(s.shiftStart), until: iso(s.shiftEnd) });
    const answer: z.infer<typeof oncallSchema> = {
      at: iso(at),
      teams: teams.map((team) => ({
        team: team.name,
        tiers: teamOnCall(set, team, at).map((t) => {
          const now = { tier: t.tier, schedule: t.schedule, person: who(t.person), layer: t.layer, override: t.override, until: iso(t.shiftEnd) };
          if (q.shifts === undefined) return now;
          const schedule = set.schedules.get(t.schedule)!;
          const next: ReturnType<typeof shift>[] = [];
          for (let end = t.shiftEnd; next.length < q.shifts; ) {
            const s = whoIsOnCall(schedule, set.people, end);
            next.push(shift(s));
            if (s.shiftEnd <= end) break;
            end = s.shiftEnd;
          }
          return { ...now, from: iso(t.shiftStart), timeZone: schedule.timeZone, next };
        }),
      })),
    };
    res.json(answer);
  });

  return router;
}
