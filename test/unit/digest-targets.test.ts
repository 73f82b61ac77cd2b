import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestConfigSchema } from '../../src/reports/digest-schedule.js';
import { loadRuleSet } from '../../src/rules/ruleset.js';
import { digestTargets } from '../../src/notify/report-recipients.js';

const rules = loadRuleSet(path.join(import.meta.dirname, '..', '..', 'rules'), {});
const schedule = (over: Record<string, unknown>) =>
  digestConfigSchema.parse({ schedules: [{ name: 'd', cron: '0 8 * * *', period: '1d', to: { roles: ['management'], emails: ['cto@example.com'] }, ...over }] })
    .schedules[0]!;

describe('digest recipients', () => {
  it("a team's digest reaches that team's role holders and the named addresses", () => {
    const { targets, missing } = digestTargets(rules, schedule({ team: 'platform' }));
    expect(targets.map((t) => t.recipient.address)).toEqual(['carol@example.com', 'cto@example.com']);
    expect(missing).toEqual([]);
  });

  it('a team name that is not a team reaches no team (not the default team) and says so', () => {
    const { targets, missing } = digestTargets(rules, schedule({ team: 'platfrom' }));
    expect(targets.map((t) => t.recipient.address)).toEqual(['cto@example.com']);
    expect(missing).toContain('team "platfrom" is not a team in the rules');
  });
});
