import { describe, expect, it } from 'vitest';
import type { Store } from '../../../src/store/types.js';
import type { ContractContext } from '../contract.js';
import { newIncident, newNotification } from '../fixtures.js';

async function incident(s: Store, groupKey = 'g') {
  return (await s.write((tx) => tx.insertIncident(newIncident({ groupKey })))).id;
}

export function outboxContract({ store }: ContractContext): void {
  describe('outbox', () => {
    it('inserts a message once per idempotency key, pending, with no attempts yet', async () => {
      const s = await store();
      const i = await incident(s);
      const n = newNotification(i, { bundleKey: 'b', fallbackOf: null });
      const id = await s.write((tx) => tx.insertNotification(n, 5_000));
      expect(id).toEqual(expect.any(Number));
      expect(await s.write((tx) => tx.insertNotification({ ...n, channel: 'voice', dueAt: 9 }, 6_000))).toBeNull();
      expect(await s.listNotifications(i)).toEqual([
        {
          id,
          ...n,
          status: 'pending',
          attempts: 0,
          providerId: null,
          mode: null,
          threadRef: null,
          errorKind: null,
          lastError: null,
          createdAt: 5_000,
          updatedAt: 5_000,
          deliveredAt: null,
        },
      ]);
      expect(await s.pendingNotificationCount()).toBe(1);
    });

    it('records deliveries: the message’s fields, and its attempts in order', async () => {
      const s = await store();
      const i = await incident(s);
      const id = (await s.write((tx) => tx.insertNotification(newNotification(i), 1)))!;
      await s.write(async (tx) => {
        await tx.addAttempt({ notificationId: id, at: 2, outcome: 'retry', errorKind: 'server', error: '502 Bad Gateway', durationMs: 40 });
        await tx.addAttempt({ notificationId: id, at: 3, outcome: 'delivered', errorKind: null, error: null, durationMs: 12 });
        await tx.updateNotification(id, { status: 'delivered', attempts: 2, providerId: 'SM1', mode: 'live', deliveredAt: 3, updatedAt: 3 });
      });
      expect((await s.listNotifications(i))[0]).toMatchObject({ status: 'delivered', attempts: 2, providerId: 'SM1', mode: 'live', deliveredAt: 3, updatedAt: 3, createdAt: 1 });
      expect(await s.attemptsOf(id)).toEqual([
        { notificationId: id, at: 2, outcome: 'retry', errorKind: 'server', error: '502 Bad Gateway', durationMs: 40 },
        { notificationId: id, at: 3, outcome: 'delivered', errorKind: null, error: null, durationMs: 12 },
      ]);
      expect(await s.attemptsOf(id + 1)).toEqual([]);
      expect(await s.pendingNotificationCount()).toBe(0);
    });

    it('dueNotifications: pending messages due by now, by due time then id, up to the limit', async () => {
      const s = await store();
      const i = await incident(s);
      const ids = await s.write(async (tx) => {
        const add = (key: string, dueAt: number) => tx.insertNotification(newNotification(i, { idempotencyKey: key, dueAt }), 1);
        return [await add('late', 300), await add('early', 100), await add('same', 100), await add('future', 900), await add('done', 50)];
      });
      const [late, early, same, , done] = ids as number[];
      await s.write((tx) => tx.updateNotification(done!, { status: 'failed' }));
      expect((await s.write((tx) => tx.dueNotifications(300, 10))).map((n) => n.id)).toEqual([early, same, late]);
      expect((await s.write((tx) => tx.dueNotifications(300, 2))).map((n) => n.id)).toEqual([early, same]);
      expect(await s.write((tx) => tx.dueNotifications(99, 10))).toEqual([]);
    });

    it('bundles: the due pending members in id order, and the first pending member’s due time', async () => {
      const s = await store();
      const i = await incident(s);
      const [a, b, c] = (await s.write(async (tx) => {
        const add = (key: string, dueAt: number, bundleKey: string | null) => tx.insertNotification(newNotification(i, { idempotencyKey: key, dueAt, bundleKey }), 1);
        const ids = [await add('a', 200, 'team:email'), await add('b', 100, 'team:email'), await add('c', 500, 'team:email')];
        await add('d', 50, 'other');
        await add('e', 10, null);
        return ids;
      })) as number[];
      expect((await s.write((tx) => tx.bundleMembers('team:email', 200))).map((n) => n.id)).toEqual([a, b]);
      expect(await s.write((tx) => tx.bundleDueAt('team:email'))).toBe(100);
      await s.write((tx) => tx.updateNotification(b!, { status: 'delivered' }));
      expect(await s.write((tx) => tx.bundleDueAt('team:email'))).toBe(200);
      expect((await s.write((tx) => tx.bundleMembers('team:email', 1_000))).map((n) => n.id)).toEqual([a, c]);
      expect(await s.write((tx) => tx.bundleDueAt('nobody'))).toBeNull();
    });

    it('pagesOf: an incident’s pages and escalations, oldest first', async () => {
      const s = await store();
      const i = await incident(s);
      const other = await incident(s, 'other');
      const [page, , escalation] = (await s.write(async (tx) => [
        await tx.insertNotification(newNotification(i, { idempotencyKey: 'a', kind: 'page' }), 1),
        await tx.insertNotification(newNotification(i, { idempotencyKey: 'b', kind: 'reminder' }), 1),
        await tx.insertNotification(newNotification(i, { idempotencyKey: 'c', kind: 'escalation' }), 1),
        await tx.insertNotification(newNotification(other, { idempotencyKey: 'd', kind: 'page' }), 1),
      ])) as number[];
      expect((await s.write((tx) => tx.pagesOf(i))).map((n) => n.id)).toEqual([page, escalation]);
    });

    it('pagedRecipientsOfEach: who the pages and escalations went to, on what, oldest first', async () => {
      const s = await store();
      const i = await incident(s);
      await s.write(async (tx) => {
        await tx.insertNotification(newNotification(i, { idempotencyKey: 'a', kind: 'page', channel: 'voice', address: '+15550001' }), 1);
        await tx.insertNotification(newNotification(i, { idempotencyKey: 'b', kind: 'reminder', channel: 'email', address: 'x@example.com' }), 1);
        await tx.insertNotification(newNotification(i, { idempotencyKey: 'c', kind: 'escalation', channel: 'chat', person: null, recipientName: '#ops', address: '#ops' }), 1);
      });
      expect((await s.write((tx) => tx.pagedRecipientsOfEach([i]))).get(i)).toEqual([
        { channel: 'voice', person: 'alice', recipientName: 'Alice Example', address: '+15550001' },
        { channel: 'chat', person: null, recipientName: '#ops', address: '#ops' },
      ]);
      expect((await s.write((tx) => tx.pagedRecipientsOfEach([i + 100]))).get(i + 100) ?? []).toEqual([]);
    });

    it('insertNotifications: many in one go, each as insertNotification would (an idempotency key already there, or given twice, inserts once)', async () => {
      const s = await store();
      const i = await incident(s);
      const old = await s.write((tx) => tx.insertNotification(newNotification(i, { idempotencyKey: 'old' }), 1));
      const ids = await s.write((tx) =>
        tx.insertNotifications(
          [
            newNotification(i, { idempotencyKey: 'n1', channel: 'sms', address: '+15550001' }),
            newNotification(i, { idempotencyKey: 'old' }),
            newNotification(i, { idempotencyKey: 'n2', channel: 'email', person: null, address: 'x@example.com', bundleKey: 'b', fallbackOf: old }),
            newNotification(i, { idempotencyKey: 'n1', channel: 'voice' }),
          ],
          7_000,
        ),
      );
      expect(ids[1]).toBeNull();
      expect(ids[3]).toBeNull();
      expect(ids[0]).toEqual(expect.any(Number));
      expect(ids[2]).toBeGreaterThan(ids[0]!);
      const listed = await s.listNotifications(i);
      expect(listed.map((n) => [n.id, n.idempotencyKey, n.channel, n.status, n.createdAt])).toEqual([
        [old, 'old', 'sms', 'pending', 1],
        [ids[0], 'n1', 'sms', 'pending', 7_000],
        [ids[2], 'n2', 'email', 'pending', 7_000],
      ]);
      expect(listed[2]).toMatchObject({ person: null, address: 'x@example.com', bundleKey: 'b', fallbackOf: old, attempts: 0 });
      expect(await s.write((tx) => tx.insertNotifications([], 1))).toEqual([]);
      // A failed write keeps none of them.
      await expect(
        s.write(async (tx) => {
          await tx.insertNotifications([newNotification(i, { idempotencyKey: 'n3' })], 8_000);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await s.listNotifications(i)).toHaveLength(3);
    });

    it('pagedRecipientsOfEach: many incidents in one read, each as read alone; incidents never paged are not in the map', async () => {
      const s = await store();
      const [a, b, c] = [await incident(s, 'a'), await incident(s, 'b'), await incident(s, 'c')];
      await s.write(async (tx) => {
        await tx.insertNotification(newNotification(a, { idempotencyKey: 'a1', kind: 'page', channel: 'voice', address: '+15550001' }), 1);
        await tx.insertNotification(newNotification(b, { idempotencyKey: 'b1', kind: 'escalation', channel: 'sms', address: '+15550002' }), 1);
        await tx.insertNotification(newNotification(a, { idempotencyKey: 'a2', kind: 'reminder', channel: 'email', address: 'x@example.com' }), 1);
        await tx.insertNotification(newNotification(a, { idempotencyKey: 'a3', kind: 'escalation', channel: 'chat', person: null, recipientName: '#ops', address: '#ops' }), 1);
        await tx.insertNotification(newNotification(c, { idempotencyKey: 'c1', kind: 'reminder' }), 1);
      });
      const each = await s.write((tx) => tx.pagedRecipientsOfEach([a, b, c, c + 100]));
      expect([...each.keys()].sort()).toEqual([a, b].sort());
      for (const id of [a, b]) expect(each.get(id)).toEqual((await s.write((tx) => tx.pagedRecipientsOfEach([id]))).get(id));
      expect(each.get(a)).toHaveLength(2);
      expect((await s.write((tx) => tx.pagedRecipientsOfEach([]))).size).toBe(0);
    });

    it('listNotifications: an incident’s oldest first, or everyone’s newest first, up to the limit', async () => {
      const s = await store();
      const i = await incident(s);
      const ids = (await s.write(async (tx) => [
        await tx.insertNotification(newNotification(i, { idempotencyKey: 'a' }), 1),
        await tx.insertNotification(newNotification(null, { idempotencyKey: 'digest', kind: 'digest' }), 1),
        await tx.insertNotification(newNotification(i, { idempotencyKey: 'b' }), 1),
      ])) as number[];
      expect((await s.listNotifications(i)).map((n) => n.id)).toEqual([ids[0], ids[2]]);
      expect((await s.listNotifications(i, 1)).map((n) => n.id)).toEqual([ids[0]]);
      expect((await s.listNotifications()).map((n) => n.id)).toEqual([...ids].reverse());
      expect((await s.listNotifications(undefined, 2)).map((n) => n.id)).toEqual([ids[2], ids[1]]);
    });

    it('finds the incident an address or a chat thread is about, and the first chat message delivered to an address', async () => {
      const s = await store();
      const [one, two] = [await incident(s, 'one'), await incident(s, 'two')];
      expect(await s.lastIncidentForAddress('+15550100001')).toBeNull();
      const [chatA, chatB] = (await s.write(async (tx) => {
        await tx.insertNotification(newNotification(one, { idempotencyKey: 'sms1' }), 1);
        await tx.insertNotification(newNotification(two, { idempotencyKey: 'sms2' }), 1);
        await tx.insertNotification(newNotification(null, { idempotencyKey: 'digest' }), 1);
        const chat = (key: string) => tx.insertNotification(newNotification(one, { idempotencyKey: key, channel: 'chat', address: '#ops' }), 1);
        return [await chat('chat0'), await chat('chat1'), await chat('chat2')];
      })) as number[];
      expect(await s.lastIncidentForAddress('+15550100001')).toBe(two);
      // Only a delivered message with a provider id (the message to update) counts.
      expect(await s.firstChatMessage(one, '#ops')).toBeNull();
      await s.write(async (tx) => {
        await tx.updateNotification(chatA!, { status: 'delivered' });
        await tx.updateNotification(chatB!, { status: 'delivered', providerId: '1700000000.000100', threadRef: '1700000000.000100' });
      });
      expect((await s.firstChatMessage(one, '#ops'))?.id).toBe(chatB);
      expect(await s.firstChatMessage(two, '#ops')).toBeNull();
      expect(await s.incidentForThread('1700000000.000100')).toBe(one);
      expect(await s.incidentForThread('1700000000.999999')).toBeNull();
    });

    it('keeps a body with a message that has no incident to render from', async () => {
      const s = await store();
      const id = (await s.write((tx) => tx.insertNotification(newNotification(null, { kind: 'digest', idempotencyKey: 'digest:1' }), 1)))!;
      expect(await s.notificationBody(id)).toBeNull();
      await s.write((tx) => tx.setNotificationBody(id, '{"subject":"Daily digest"}'));
      expect(await s.notificationBody(id)).toBe('{"subject":"Daily digest"}');
      expect(await s.notificationBody(id + 1)).toBeNull();
    });
  });
}
