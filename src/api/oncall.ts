import { Router } from 'express';
import { z } from 'zod';
import type { Clock } from '../time/clock.js';
import { notFound } from '../errors/errors.js';
import { parseQuery } from '../http/validation.js';
import { instant } from '../ingest/sources/common.js';
import type { RuleSet } from '../rules/ruleset.js';
import { teamOnCall } from '../oncall/who-is-on-call.js';

const query = z.object({
  team: z.string().min(1).max(100).optional(),
  /** RFC 3339; default now. */
  at: instant.optional(),
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
    res.json({
      at: new Date(at).toISOString(),
      teams: teams.map((team) => ({
        team: team.name,
        tiers: teamOnCall(set, team, at).map((t) => {
          const person = t.person === null ? undefined : set.people.get(t.person);
          return {
            tier: t.tier,
            schedule: t.schedule,
            person: person ? { id: person.id, name: person.name } : null,
            layer: t.layer,
            override: t.override,
            until: new Date(t.shiftEnd).toISOString(),
          };
        }),
      })),
    });
  });

  return router;
}
