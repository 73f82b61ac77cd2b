import { describe, expect, it } from 'vitest';
import { TargetList } from '../../src/notify/directory.js';
import { writeManyToOutbox, writeToOutbox, type OutboxTx } from '../../src/notify/outbox.js';
import type { NewNotification } from '../../src/store/types.js';

/** An outbox in memory: keys are unique, as in the store. */
function fakeOutbox() {
  const rows: (NewNotification & { id: number; body?: string })[] = [];
  const insert = (n: NewNotification) => {
    if (rows.some((r) => r.idempotencyKey === n.idempotencyKey)) return null;
    rows.push({ ...n, id: rows.length + 1 });
    return rows.length;
  };
  const tx: OutboxTx & Parameters<typeof writeManyToOutbox>[0] = {
    async insertNotification(n) {
      return insert(n);
    },
    async insertNotifications(ns) {
      return ns.map(insert);
    },
    async setNotificationBody(id, body) {
      rows[id - 1]!.body = body;
    },
  };
  return { rows, tx };
}

const alice = { channel: 'email' as const, recipient: { person: 'alice', name: 'Alice', address: 'alice@example.com' } };

describe('the outbox writer', () => {
  it('writes a message once per idempotency key, due when asked, outside any bundle unless given one', async () => {
    const { rows, tx } = fakeOutbox();
    const message = { kind: 'page' as const, incidentId: 3, to: alice, idempotencyKey: 'incident:3:page:x:email:alice@example.com', dueAt: 50 };
    expect(await writeToOutbox(tx, message, 10)).toBe(1);
    expect(await writeToOutbox(tx, message, 20)).toBeNull();
    expect(rows).toEqual([
      {
        id: 1,
        incidentId: 3,
        kind: 'page',
        channel: 'email',
        person: 'alice',
        recipientName: 'Alice',
        address: 'alice@example.com',
        idempotencyKey: 'incident:3:page:x:email:alice@example.com',
        dueAt: 50,
        bundleKey: null,
        fallbackOf: null,
      },
    ]);
  });

  it('stores a message rendered ahead of time with its row, and only with a row it wrote', async () => {
    const { rows, tx } = fakeOutbox();
    const body = { subject: 'Digest', text: 'figures', html: '<p>figures</p>' };
    await writeToOutbox(tx, { kind: 'digest', incidentId: null, to: alice, idempotencyKey: 'digest:d', dueAt: 1, body }, 1);
    await writeToOutbox(tx, { kind: 'digest', incidentId: null, to: alice, idempotencyKey: 'digest:d', dueAt: 1, body: { subject: 'again', text: '' } }, 1);
    expect(rows.map((r) => r.body)).toEqual(['{"subject":"Digest","text":"figures","html":"<p>figures</p>"}']);
  });

  it('writes many messages in one go: the id of each or null, in order, a body only with a row it wrote', async () => {
    const { rows, tx } = fakeOutbox();
    const message = (key: string, body?: { subject: string; text: string }) => ({ kind: 'update' as const, incidentId: 3, to: alice, idempotencyKey: key, dueAt: 5, ...(body ? { body } : {}) });
    await writeToOutbox(tx, message('k1'), 1);
    const ids = await writeManyToOutbox(tx, [message('k2', { subject: 'two', text: '' }), message('k1', { subject: 'again', text: '' }), message('k3')], 2);
    expect(ids).toEqual([2, null, 3]);
    expect(rows.map((r) => [r.idempotencyKey, r.body ?? null])).toEqual([
      ['k1', null],
      ['k2', '{"subject":"two","text":""}'],
      ['k3', null],
    ]);
  });
});

describe('target lists', () => {
  const upper = { ...alice, recipient: { ...alice.recipient, address: 'Alice@Example.com' } };

  it('name each channel and address once, in the order first named', () => {
    const list = new TargetList();
    list.add(alice);
    list.add({ ...alice, channel: 'chat' });
    list.add(alice);
    list.add(upper);
    expect(list.targets.map((t) => `${t.channel}:${t.recipient.address}`)).toEqual(['email:alice@example.com', 'chat:alice@example.com', 'email:Alice@Example.com']);
  });

  it('for digests and reviews, take email addresses that differ only in case as one mailbox', () => {
    const list = new TargetList({ emailIgnoringCase: true });
    list.add(alice);
    list.add(upper);
    expect(list.targets).toEqual([alice]);
  });
});
