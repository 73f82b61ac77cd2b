import { afterEach, describe, expect, it } from 'vitest';
import { amWebhook, databaseOf, startVigil, type TestVigil } from '../helpers/vigil.js';

let v: TestVigil;
afterEach(async () => v?.close());

const TOKEN = 'api-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const fire = (t: TestVigil, labels: Record<string, string>) => t.post('/api/v1/alerts/alertmanager', amWebhook([{ labels }]), AUTH);

/** An EventSource-like reader over fetch: collects parsed events until told to stop. */
async function openStream(t: TestVigil, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${t.url}/api/v1/events`, { headers: { accept: 'text/event-stream', ...AUTH, ...headers }, signal: controller.signal });
  const events: { id?: string; event: string; data: any }[] = [];
  const waiters: (() => void)[] = [];
  void (async () => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trimStart()]));
          if (fields.event) events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data ?? 'null') });
          for (const w of waiters.splice(0)) w();
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    events,
    /** Waits for an event the predicate accepts. */
    async until(accept: (e: { id?: string; event: string; data: any }) => boolean) {
      while (!events.some(accept)) await new Promise<void>((r) => waiters.push(r));
      return events.find(accept)!;
    },
    async next(kind: string, count = 1) {
      while (events.filter((e) => e.event === kind).length < count) await new Promise<void>((r) => waiters.push(r));
      return events.filter((e) => e.event === kind)[count - 1]!;
    },
    close: () => controller.abort(),
  };
}

describe('live updates for the console', () => {
  it('a new incident reaches an open stream after its commit, with what changed; a reconnect resumes from Last-Event-ID', async () => {
    v = await startVigil({ auth: { apiTokens: [TOKEN] } });
    const stream = await openStream(v);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    expect((await stream.next('hello')).data).toEqual({ seq: 0 });

    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node', severity: 'critical' });
    await v.vigil.feed.drain();
    const first = await stream.next('incidents');
    expect(first.id).toBe('1');
    expect(first.data.opened).toEqual([1]);
    expect(first.data.incidents.map((i: any) => [i.id, i.severity, i.status])).toEqual([[1, 'critical', 'triggered']]);

    await v.post('/api/v1/incidents/1/acknowledge', { by: 'alice' }, AUTH);
    await v.vigil.feed.drain();
    const second = await stream.next('incidents', 2);
    expect(second.data.opened).toEqual([]);
    expect(second.data.incidents[0]).toMatchObject({ id: 1, status: 'acknowledged', acknowledgedBy: 'alice' });
    stream.close();

    const resumed = await openStream(v, { 'last-event-id': '1' });
    expect((await resumed.next('incidents')).id).toBe('2');
    resumed.close();
    const polled = await v.json('/api/v1/events?since=0', { ...AUTH, accept: 'application/json' });
    // The two batches above, in order; a busy machine may have flushed a later change of incident 1 in a batch of its own.
    expect(polled.reset).toBe(false);
    expect(polled.batches.slice(0, 2).map((b: any) => [b.seq, b.opened, b.incidents.map((i: any) => i.status)])).toEqual([
      [1, [1], ['triggered']],
      [2, [], ['acknowledged']],
    ]);
    expect(polled.last).toBe(polled.batches.at(-1).seq);
  });

  it('batches committed while nobody watched reach a poller and a resuming stream; one that missed more than is kept starts over; the stream needs credentials', async () => {
    v = await startVigil({ auth: { apiTokens: [TOKEN] } });
    expect((await fetch(`${v.url}/api/v1/events`, { headers: { accept: 'text/event-stream' } })).status).toBe(401);
    await fire(v, { alertname: 'A', service: 's' });
    await v.vigil.feed.drain();
    const stream = await openStream(v, { 'last-event-id': '99' });
    expect((await stream.next('reset')).data).toEqual({ seq: 1 });
    stream.close();
    // Committed while no stream was open: a poller still gets the batch, read when asked for.
    const polled = await v.json('/api/v1/events?since=0', { ...AUTH, accept: 'application/json' });
    expect(polled.batches.slice(0, 1).map((b: any) => [b.seq, b.opened, b.incidents.map((i: any) => i.title)])).toEqual([[1, [1], ['A on s']]]);
    const resumed = await openStream(v, { 'last-event-id': '0' });
    expect((await resumed.next('incidents')).data.incidents.map((i: any) => i.id)).toEqual([1]);
    resumed.close();
  });

  it('an escalation is told to the people the new tier pages only', async () => {
    v = await startVigil({ auth: { apiTokens: [TOKEN] } });
    await fire(v, { alertname: 'InstanceDown', instance: 'web-1', job: 'node', severity: 'critical' });
    await v.vigil.feed.drain();
    const { tokenCreate } = await import('../../src/cli/token.js');
    const tokens: Record<string, string> = {};
    for (const person of ['alice', 'carol']) {
      let printed = '';
      await tokenCreate({ person }, { env: { VIGIL_DB: databaseOf(v) }, now: v.clock.now(), out: (t) => (printed += t) });
      tokens[person] = /(vigil_pat_\S+)/.exec(printed)![1]!;
    }
    const alice = await openStream(v, { authorization: `Bearer ${tokens.alice}` });
    const carol = await openStream(v, { authorization: `Bearer ${tokens.carol}` });
    await alice.next('hello');
    await carol.next('hello');
    // Tier 2 at 15 minutes: platform-secondary, alice at the test clock (see rules/30-schedules.yaml).
    v.clock.advance(15 * 60_000 + 1000);
    await v.vigil.engine.runTimers();
    await v.vigil.feed.drain();
    // The SLA breach and the escalation may reach the streams as one batch or two: look at every batch.
    const escalation = await alice.until((e) => e.event === 'incidents' && e.data.escalatedToMe.includes(1));
    expect(escalation.data.incidents.map((i: any) => i.escalationTier)).toEqual([2]);
    // Carol gets the same batch, telling her of nothing. (Counting batches instead would race: a page delivered
    // between the two streams' openings is a batch only the first stream sees.)
    const same = await carol.until((e) => e.event === 'incidents' && e.id === escalation.id);
    expect(same.data.escalatedToMe).toEqual([]);
    expect(carol.events.filter((e) => e.event === 'incidents').map((e) => e.data.escalatedToMe)).toEqual(
      carol.events.filter((e) => e.event === 'incidents').map(() => []),
    );
    alice.close();
    carol.close();
  });
});
