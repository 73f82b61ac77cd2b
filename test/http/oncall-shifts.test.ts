import { afterEach, describe, expect, it } from 'vitest';
import { startVigil, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

describe('GET /api/v1/oncall?shifts=N (the console’s on-call page)', () => {
  it('adds each tier’s shift start, its schedule’s zone and the shifts after it, in order', async () => {
    v = await startVigil();
    // Tuesday 10 March 2026, 10:00 in Berlin: bob has the working-hours duty of the day until 18:00.
    const body = await v.json('/api/v1/oncall?team=platform&at=2026-03-10T10:00:00%2B01:00&shifts=2');
    const [first, second] = body.teams[0].tiers;
    expect(first).toEqual({
      tier: 1,
      schedule: 'platform-primary',
      person: { id: 'bob', name: 'Bob Example' },
      layer: 'working-hours',
      override: false,
      from: '2026-03-10T08:00:00.000Z',
      until: '2026-03-10T17:00:00.000Z',
      timeZone: 'Europe/Berlin',
      next: [
        // After 18:00 the week's phone duty answers until working hours start again.
        { person: { id: 'bob', name: 'Bob Example' }, layer: 'phone-duty', override: false, from: '2026-03-10T17:00:00.000Z', until: '2026-03-11T08:00:00.000Z' },
        { person: { id: 'alice', name: 'Alice Example' }, layer: 'working-hours', override: false, from: '2026-03-11T08:00:00.000Z', until: '2026-03-11T17:00:00.000Z' },
      ],
    });
    expect(second.next[0]).toMatchObject({ from: second.until, person: { id: 'bob' } });
  });

  it('keeps the plain answer without it, and refuses a bad count', async () => {
    v = await startVigil();
    const plain = await v.json('/api/v1/oncall?team=platform');
    expect(Object.keys(plain.teams[0].tiers[0]).sort()).toEqual(['layer', 'override', 'person', 'schedule', 'tier', 'until']);
    const bad = await v.get('/api/v1/oncall?shifts=50');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/shifts/);
  });
});
