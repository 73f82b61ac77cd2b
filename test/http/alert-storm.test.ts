import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, startVigil, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

const host = (i: number) => ({ labels: { alertname: 'NodeDown', service: 'fleet', severity: 'warning', instance: `host-${i}:9100` } });

describe('an alert storm', () => {
  it('records the first alerts joining an incident one by one and the rest as one "more alerts joined" event', async () => {
    v = await startVigil();
    const res = await v.post('/api/v1/alerts/alertmanager', amWebhook(Array.from({ length: 12 }, (_, i) => host(i))));
    expect(res.status).toBe(202);
    const { incidents } = await v.json('/api/v1/incidents');
    expect(incidents).toHaveLength(1);
    expect(incidents[0].alertCount).toBe(12);
    const full = await v.json(`/api/v1/incidents/${incidents[0].id}`);
    expect(full.alerts).toHaveLength(12);
    const kinds = full.timeline.map((e: any) => e.kind);
    expect(kinds.filter((k: string) => k === 'alert_firing')).toHaveLength(5);
    const joined = full.timeline.filter((e: any) => e.kind === 'alerts_joined');
    expect(joined).toHaveLength(1);
    expect(joined[0]).toMatchObject({ actor: 'alertmanager', source: 'alertmanager', data: { count: 7 } });
    expect(joined[0].message).toBe('7 more alerts joined: NodeDown{host-5:9100}, NodeDown{host-6:9100}, NodeDown{host-7:9100}, NodeDown{host-8:9100}, NodeDown{host-9:9100}, …');
  });

  it('keeps one running count per incident and minute across requests, and gives alerts their own events again after it', async () => {
    v = await startVigil();
    for (let r = 0; r < 3; r++) {
      const res = await v.post('/api/v1/alerts/alertmanager', amWebhook([0, 1, 2, 3].map((i) => host(r * 4 + i))));
      expect(res.status).toBe(202);
      v.clock.advance(10_000);
    }
    const { incidents } = await v.json('/api/v1/incidents');
    let full = await v.json(`/api/v1/incidents/${incidents[0].id}`);
    expect(full.timeline.filter((e: any) => e.kind === 'alert_firing')).toHaveLength(5);
    let joined = full.timeline.filter((e: any) => e.kind === 'alerts_joined');
    expect(joined).toHaveLength(1);
    expect(joined[0].data.count).toBe(7);
    expect(joined[0].message).toMatch(/^7 more alerts joined: NodeDown\{host-5:9100\}, .*, …$/);

    // A minute after the first alert joined, a new window: the next alerts have events of their own.
    v.clock.advance(31_000);
    await v.post('/api/v1/alerts/alertmanager', amWebhook([host(100), host(101)]));
    full = await v.json(`/api/v1/incidents/${incidents[0].id}`);
    expect(full.alerts).toHaveLength(14);
    expect(full.timeline.filter((e: any) => e.kind === 'alert_firing')).toHaveLength(7);
    joined = full.timeline.filter((e: any) => e.kind === 'alerts_joined');
    expect(joined.map((e: any) => e.data.count)).toEqual([7]);
  });

  it('opens one incident for a group when many senders post its new alerts at once, and counts every alert', async () => {
    v = await startVigil();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => v.post('/api/v1/alerts/alertmanager', amWebhook([host(i)]))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(202));
    const { incidents } = await v.json('/api/v1/incidents');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ alertCount: 30 });
    const full = await v.json(`/api/v1/incidents/${incidents[0].id}`);
    expect(full.alerts).toHaveLength(30);
    const firing = full.timeline.filter((e: any) => e.kind === 'alert_firing').length;
    const joined = full.timeline.filter((e: any) => e.kind === 'alerts_joined').reduce((n: number, e: any) => n + e.data.count, 0);
    // However the requests shared commits, every alert is on the timeline once: by its own event or in a count.
    expect(firing + joined).toBe(30);
  });

  it('sees a resolve between two firings of one group in the same write: the incident reopens, it is not joined while resolved', async () => {
    v = await startVigil();
    const resolved = { ...host(1), status: 'resolved' as const, endsAt: new Date(v.clock.now()).toISOString() };
    const res = await v.post('/api/v1/alerts/alertmanager', amWebhook([host(1), resolved, host(2)]));
    expect(res.status).toBe(202);
    const { incidents } = await v.json('/api/v1/incidents');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ status: 'triggered', flapping: true, reopenCount: 1, alertCount: 2 });
  });
});
