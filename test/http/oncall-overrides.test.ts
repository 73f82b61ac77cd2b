import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { startVigil, tempDir, type TestVigil } from '../helpers/vigil.js';

/** On-call overrides through the API: stored, shown beside the files' schedules, and paged at once. */
let v: TestVigil;
afterEach(async () => v?.close());

const HOUR = 3_600_000;
// Tuesday 10 March 2026, 10:00 in Berlin: Bob holds platform-primary (working hours) in the shipped schedules.
const NOW = '2026-03-10T09:00:00Z';

async function pagedFor(alertname: string): Promise<string[]> {
  const res = await v.post('/api/v2/alerts', [{ labels: { alertname, severity: 'critical', team: 'platform', service: 'api' }, startsAt: NOW }]);
  expect(res.status).toBe(200);
  const incident = (await v.json('/api/v1/incidents')).incidents.find((i: any) => i.title.includes(alertname));
  const { notifications } = await v.json(`/api/v1/notifications?incident=${incident.id}`);
  return [...new Set<string>(notifications.filter((n: any) => n.kind === 'page' && n.recipient.person).map((n: any) => n.recipient.person as string))].sort();
}

const tier1 = async () => (await v.json('/api/v1/oncall?team=platform')).teams[0].tiers[0];

describe('on-call overrides through the API', () => {
  it('hands a shift to someone else for two hours: shown by /api/v1/oncall and paged by the next incident', async () => {
    v = await startVigil({ now: NOW });
    expect(await tier1()).toMatchObject({ schedule: 'platform-primary', person: { id: 'bob' }, override: false });
    const before = await pagedFor('DiskFull');
    expect(before).toContain('bob');
    expect(before).not.toContain('alice');

    const res = await v.post('/api/v1/oncall/overrides', { schedule: 'platform-primary', person: 'alice', duration: '2h', reason: 'bob at the dentist', by: 'bob' });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ schedule: 'platform-primary', person: 'alice', startsAt: '2026-03-10T09:00:00.000Z', endsAt: '2026-03-10T11:00:00.000Z', createdBy: 'bob', reason: 'bob at the dentist' });
    expect(await tier1()).toMatchObject({ person: { id: 'alice' }, override: true, until: '2026-03-10T11:00:00.000Z' });
    expect((await v.json('/api/v1/oncall/overrides')).overrides.map((o: any) => o.id)).toEqual([created.id]);

    const during = await pagedFor('HighLatency');
    expect(during).toContain('alice');
    expect(during).not.toContain('bob');

    // Two hours on, the shift is Bob's again without anyone doing anything.
    v.clock.advance(2 * HOUR);
    expect(await tier1()).toMatchObject({ person: { id: 'bob' }, override: false });
    expect((await v.json('/api/v1/oncall/overrides')).overrides).toEqual([]);
  });

  it('survives a restart (it is in the database) and can be removed', async () => {
    const dbPath = path.join(tempDir(), 'vigil.db');
    v = await startVigil({ now: NOW, dbPath });
    const created = await (await v.post('/api/v1/oncall/overrides', { schedule: 'platform-primary', person: 'alice', endsAt: '2026-03-10T12:00:00Z', by: 'ops' })).json();
    await v.close();
    v = await startVigil({ now: NOW, dbPath });
    await expect.poll(async () => (await tier1()).person.id).toBe('alice');
    const gone = await fetch(`${v.url}/api/v1/oncall/overrides/${created.id}`, { method: 'DELETE' });
    expect(await gone.json()).toEqual({ deleted: created.id });
    expect(await tier1()).toMatchObject({ person: { id: 'bob' } });
    expect((await fetch(`${v.url}/api/v1/oncall/overrides/${created.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('refuses an unknown schedule or person, a shift that ends before it starts or in the past, and changes nothing', async () => {
    v = await startVigil({ now: NOW });
    const refused = async (body: object, field: string) => {
      const res = await v.post('/api/v1/oncall/overrides', { by: 'ops', ...body });
      expect(res.status).toBe(400);
      expect((await res.json()).error.details[0].field).toBe(field);
    };
    await refused({ schedule: 'nope', person: 'alice', duration: '1h' }, 'schedule');
    await refused({ schedule: 'platform-primary', person: 'mallory', duration: '1h' }, 'person');
    await refused({ schedule: 'platform-primary', person: 'alice', startsAt: '2026-03-10T12:00:00Z', endsAt: '2026-03-10T11:00:00Z' }, 'endsAt');
    await refused({ schedule: 'platform-primary', person: 'alice', startsAt: '2026-03-09T12:00:00Z', endsAt: '2026-03-09T13:00:00Z' }, 'endsAt');
    await refused({ schedule: 'platform-primary', person: 'alice' }, 'endsAt');
    expect((await v.json('/api/v1/oncall/overrides')).overrides).toEqual([]);
  });
});
