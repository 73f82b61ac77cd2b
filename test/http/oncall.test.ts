import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

const repoRules = path.join(import.meta.dirname, '..', '..', 'rules');

const people = `people:
  - { id: alice, name: Alice }
  - { id: bob, name: Bob }
  - { id: carol, name: Carol }
teams:
  - name: platform
    members: [alice, bob]
    schedules: { tier1: primary, tier2: secondary }
  - name: web
    members: [carol]
    roles: { owner: [carol], management: [carol] }
`;

const schedules = (overrides = '[]') => `schedules:
  - name: primary
    timeZone: Europe/Berlin
    layers:
      - name: weekly
        participants: [alice, bob]
        rotation: { every: weekly, handoffDay: mon, handoff: "09:00", start: "2026-03-02" }
    overrides: ${overrides}
  - name: secondary
    timeZone: Europe/Berlin
    layers:
      - name: weekly
        participants: [bob, alice]
        rotation: { every: weekly, handoffDay: mon, handoff: "09:00", start: "2026-03-02" }
`;

function rulesDir(files: Record<string, string>): string {
  const dir = path.join(tempDir(), 'rules');
  mkdirSync(dir);
  copyFileSync(path.join(repoRules, '00-policies.yaml'), path.join(dir, '00-policies.yaml'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('GET /api/v1/oncall', () => {
  it('answers per team and tier from the shipped schedules', async () => {
    v = await startVigil();
    // Tuesday 10 March 2026, 10:00 in Berlin: working hours.
    const body = await v.json('/api/v1/oncall?at=2026-03-10T10:00:00%2B01:00');
    expect(body).toEqual({
      at: '2026-03-10T09:00:00.000Z',
      teams: [
        {
          team: 'platform',
          tiers: [
            { tier: 1, schedule: 'platform-primary', person: { id: 'bob', name: 'Bob Example' }, layer: 'working-hours', override: false, until: '2026-03-10T17:00:00.000Z' },
            { tier: 2, schedule: 'platform-secondary', person: { id: 'alice', name: 'Alice Example' }, layer: 'weekly', override: false, until: '2026-03-16T08:00:00.000Z' },
            { tier: 3, schedule: 'support-manager', person: { id: 'carol', name: 'Carol Example (support manager)' }, layer: 'manager', override: false, until: '2026-03-16T08:00:00.000Z' },
          ],
        },
      ],
    });
    // 20:00: phone duty until working hours start the next morning.
    const night = await v.json('/api/v1/oncall?team=platform&at=2026-03-10T19:00:00Z');
    expect(night.teams[0].tiers[0]).toMatchObject({ person: { id: 'bob' }, layer: 'phone-duty', until: '2026-03-11T08:00:00.000Z' });
  });

  it("defaults to the clock's now", async () => {
    v = await startVigil({ now: '2026-03-09T07:59:00Z' });
    const before = await v.json('/api/v1/oncall?team=platform');
    expect(before.at).toBe('2026-03-09T07:59:00.000Z');
    expect(before.teams[0].tiers[1]).toMatchObject({ person: { id: 'bob' }, until: '2026-03-09T08:00:00.000Z' });
    v.clock.advance(60_000);
    const after = await v.json('/api/v1/oncall?team=platform');
    expect(after.teams[0].tiers[1]).toMatchObject({ person: { id: 'alice' }, until: '2026-03-16T08:00:00.000Z' });
  });

  it('shows overrides, teams without schedules, and follows a reload', async () => {
    const dir = rulesDir({ '20-people.yaml': people, '30-schedules.yaml': schedules() });
    v = await startVigil({ file: { rules: { dir } }, now: '2026-03-04T11:30:00Z' });
    const plain = await v.json('/api/v1/oncall');
    expect(plain.teams).toEqual([
      {
        team: 'platform',
        tiers: [
          { tier: 1, schedule: 'primary', person: { id: 'alice', name: 'Alice' }, layer: 'weekly', override: false, until: '2026-03-09T08:00:00.000Z' },
          { tier: 2, schedule: 'secondary', person: { id: 'bob', name: 'Bob' }, layer: 'weekly', override: false, until: '2026-03-09T08:00:00.000Z' },
        ],
      },
      { team: 'web', tiers: [] },
    ]);

    writeFileSync(
      path.join(dir, '30-schedules.yaml'),
      schedules('\n      - { person: carol, start: "2026-03-04T12:00:00+01:00", end: "2026-03-04T14:00:00+01:00", reason: dentist }'),
    );
    expect((await v.post('/-/reload', {})).status).toBe(200);
    const taken = await v.json('/api/v1/oncall?team=platform');
    expect(taken.teams[0].tiers[0]).toEqual({
      tier: 1,
      schedule: 'primary',
      person: { id: 'carol', name: 'Carol' },
      layer: null,
      override: true,
      until: '2026-03-04T13:00:00.000Z',
    });
  });

  it('404 for an unknown team, 400 naming `at` for a bad time', async () => {
    v = await startVigil();
    const unknown = await v.get('/api/v1/oncall?team=payments');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: 'not_found', message: 'team "payments" not found' });

    for (const bad of ['yesterday', '2026-03-10', '2026-02-30T10:00:00Z']) {
      const res = await v.get(`/api/v1/oncall?at=${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe('bad_request');
      expect(error.message).toMatch(/^query: at: /);
      expect(error.details).toEqual([{ field: 'at', problem: expect.stringContaining('RFC 3339') }]);
    }
  });

  it('needs the API token when one is configured', async () => {
    v = await startVigil({ auth: { apiTokens: ['api-secret'] } });
    expect((await v.get('/api/v1/oncall')).status).toBe(401);
    const res = await v.get('/api/v1/oncall?team=platform', { authorization: 'Bearer api-secret' });
    expect(res.status).toBe(200);
    expect((await res.json()).teams).toHaveLength(1);
  });
});
