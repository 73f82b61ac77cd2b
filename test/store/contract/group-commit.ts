import { describe, expect, it } from 'vitest';
import type { ContractContext } from '../contract.js';
import { newIncident } from '../fixtures.js';

export function groupCommitContract({ store, reopen }: ContractContext): void {
  describe('write: group commit', () => {
    it('answers each of many concurrent writes with its own value', async () => {
      const s = await store();
      const values = await Promise.all(Array.from({ length: 20 }, (_, n) => s.write(async () => n * 2)));
      expect(values).toEqual(Array.from({ length: 20 }, (_, n) => n * 2));
    });

    it('a failing write is undone alone and rejects with its own error; the writes beside it stay', async () => {
      const s = await store();
      const boom = new Error('boom');
      const writes = [
        s.write((tx) => tx.insertIncident(newIncident({ groupKey: 'a' }))),
        s.write(async (tx) => {
          await tx.insertIncident(newIncident({ groupKey: 'b' }));
          throw boom;
        }),
        s.write((tx) => tx.insertIncident(newIncident({ groupKey: 'c' }))),
      ];
      const settled = await Promise.allSettled(writes);
      expect(settled.map((w) => w.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(settled[1]).toEqual({ status: 'rejected', reason: boom });
      expect((await s.listIncidents({ limit: 10 })).map((i) => i.groupKey).sort()).toEqual(['a', 'c']);
    });

    it('concurrent writes that read a row and write it back lose no update (the engine counts that way)', async () => {
      const s = await store();
      const { id } = await s.write((tx) => tx.insertIncident(newIncident({ alertCount: 0 })));
      await Promise.all(
        Array.from({ length: 20 }, () =>
          s.write(async (tx) => {
            const row = (await tx.getIncident(id))!;
            await tx.updateIncident(id, { alertCount: row.alertCount + 1 });
          }),
        ),
      );
      expect((await s.getIncident(id))?.alertCount).toBe(20);
    });

    it('a write reads its own changes before it commits', async () => {
      const s = await store();
      const seen = await s.write(async (tx) => {
        const row = await tx.insertIncident(newIncident());
        await tx.updateIncident(row.id, { title: 'renamed' });
        return (await tx.getIncident(row.id))?.title;
      });
      expect(seen).toBe('renamed');
    });

    it('resolves after its commit: what it wrote is there after a restart', async () => {
      let s = await store();
      const row = await s.write((tx) => tx.insertIncident(newIncident()));
      s = await reopen(s);
      expect(await s.getIncident(row.id)).toEqual(row);
    });

    it('runs afterCommit effects once the write has committed, before it resolves; never for a write that fails', async () => {
      const s = await store();
      const ran: string[] = [];
      const ok = s.write(async (tx) => {
        tx.afterCommit(() => ran.push('ok'));
        expect(ran).toEqual([]);
        return 'done';
      });
      const failing = s.write(async (tx) => {
        tx.afterCommit(() => ran.push('failed'));
        throw new Error('no');
      });
      await expect(ok).resolves.toBe('done');
      expect(ran).toEqual(['ok']);
      await expect(failing).rejects.toThrow('no');
      expect(ran).toEqual(['ok']);
    });

    it('an effect that throws does not fail its committed write', async () => {
      const s = await store();
      const row = await s.write(async (tx) => {
        tx.afterCommit(() => {
          throw new Error('mirror failed');
        });
        return tx.insertIncident(newIncident());
      });
      expect(await s.getIncident(row.id)).toEqual(row);
    });

    it('counts writes waiting for the next commit', async () => {
      const s = await store();
      expect(s.pendingWrites()).toBe(0);
      const writes = [s.write(async () => 1), s.write(async () => 2)];
      expect(s.pendingWrites()).toBe(2);
      await Promise.all(writes);
      expect(s.pendingWrites()).toBe(0);
    });

    it('close finishes the queued writes first, then refuses writes and reads as unavailable (503)', async () => {
      const s = await store();
      const queued = s.write((tx) => tx.insertIncident(newIncident()));
      await s.close();
      await expect(queued).resolves.toMatchObject({ id: expect.any(Number) });
      await expect(s.write(async () => 1)).rejects.toMatchObject({ status: 503, code: 'unavailable' });
      await expect(s.listIncidents({ limit: 1 })).rejects.toMatchObject({ status: 503, code: 'unavailable' });
    });

    it('ping answers while the store serves', async () => {
      const s = await store();
      await expect(s.ping()).resolves.toBeUndefined();
    });
  });
}
