import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { notFound } from '../errors/errors.js';
import { parseQuery } from '../http/validation.js';
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

/** Who is on call per team and tier, from the schedules in rules/ (VIGIL_API_TOKEN). */
export function oncallRoutes(rules: () => RuleSet, clock: Clock): Router {
  const router = Router();

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
