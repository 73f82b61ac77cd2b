import type { Operation } from '../http/operation.js';
import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { badRequest, notFound } from '../errors/errors.js';
import { requestedSpan } from './requested-span.js';
import type { StoredOverrides } from '../overrides/stored-overrides.js';
import type { OncallOverrideRow } from '../store/types.js';
import { actor } from './actor.js';
import { parseBody, parseQuery } from '../http/validation.js';
import { instant } from '../time/rfc3339.js';
import type { RuleSet } from '../rules/ruleset.js';
import { teamOnCall, whoIsOnCall, type OnCall } from '../oncall/who-is-on-call.js';

const query = z.object({
  team: z.string().min(1).max(100).optional(),
  /** RFC 3339; default now. */
  at: instant.optional(),
  /** With shifts=N, each tier also shows its shift's start, its schedule's zone and the N shifts after it. */
  shifts: z.coerce.number().int().min(0).max(10).optional(),
});

const MAX_OVERRIDE_MS = 366 * 86_400_000;

const newOverride = z
  .object({
    schedule: z.string().min(1).max(100),
    person: z.string().min(1).max(64),
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    /** Instead of endsAt: how long from startsAt (default now), e.g. 2h. */
    duration: z.string().optional(),
    reason: z.string().trim().max(500).optional(),
    /** Who asks; people signed in with their own token are recorded as themselves. */
    by: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

/** Who is on call per team and tier, from the schedules in rules/ with the overrides made here laid over them (VIGIL_API_TOKEN). */
export function oncallRoutes(rules: () => RuleSet, clock: Clock, overrides: StoredOverrides): Router {
  const router = Router();
  const presentOverride = (o: OncallOverrideRow) => ({
    id: o.id,
    schedule: o.schedule,
    person: o.person,
    startsAt: new Date(o.startsAt).toISOString(),
    endsAt: new Date(o.endsAt).toISOString(),
    createdBy: o.createdBy,
    reason: o.reason,
    createdAt: new Date(o.createdAt).toISOString(),
  });

  router.get('/api/v1/oncall/overrides', (_req, res) => {
    res.json({ overrides: overrides.list(clock.now()).map(presentOverride) });
  });

  router.post('/api/v1/oncall/overrides', async (req, res) => {
    const body = parseBody(newOverride, req.body, 'override');
    const { startsAt, endsAt } = requestedSpan(body, clock.now());
    if (endsAt - startsAt > MAX_OVERRIDE_MS) throw badRequest('endsAt: an override lasts at most 366 days (change the schedule in rules/ for longer)', [{ field: 'endsAt', problem: 'too long' }]);
    const who = actor(req, res, body.by);
    const row = await overrides.create(rules(), { schedule: body.schedule, person: body.person, startsAt, endsAt, createdBy: who.name ?? who.by, reason: body.reason || null });
    res.status(201).json(presentOverride(row));
  });

  router.delete('/api/v1/oncall/overrides/:id', async (req, res) => {
    await overrides.remove(req.params.id);
    res.json({ deleted: req.params.id });
  });

  router.get('/api/v1/oncall', (req, res) => {
    const q = parseQuery(query, req.query);
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
    const shift = (s: OnCall) => ({ person: who(s.person), layer: s.layer, override: s.override, from: iso(s.shiftStart), until: iso(s.shiftEnd) });
    res.json({
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
    });
  });

  return router;
}

/** The operations this module mounts (the OpenAPI document is generated from them). */
export const oncallOperations: Record<string, Operation> = {};
