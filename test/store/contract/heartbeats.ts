import { describe, expect, it } from 'vitest';
import { newHeartbeat } from '../../../src/heartbeats/monitors.js';
import type { ContractContext } from '../contract.js';

const spec = { name: 'etl', every: '1h', grace: '5m', severity: 'critical' };

export function heartbeatsContract({ store, reopen }: ContractContext): void {
  describe('heartbeat monitors', () => {
    it('stores a monitor and its state as written; finds it by name and key hash; lists by name', async () => {
      const s = await store();
      const id = await s.write((tx) => tx.insertHeartbeat({ ...newHeartbeat('etl', 'api', null, spec, 1_000), keyHash: 'ab'.repeat(32) }));
      await s.write((tx) => tx.insertHeartbeat(newHeartbeat('backup', 'file', 'rules/60-heartbeats.yaml', { ...spec, name: 'backup' }, 1_000)));
      const row = await s.getHeartbeat('etl');
      expect(row).toEqual({ id, ...newHeartbeat('etl', 'api', null, spec, 1_000), keyHash: 'ab'.repeat(32) });
      expect(await s.heartbeatByKeyHash('ab'.repeat(32))).toEqual(row);
      expect(await s.heartbeatByKeyHash('cd'.repeat(32))).toBeUndefined();
      expect((await s.listHeartbeats()).map((h) => h.name)).toEqual(['backup', 'etl']);
      // The write's own read sees the row (and locks it for the write on PostgreSQL).
      expect(await s.write((tx) => tx.heartbeat('etl'))).toEqual(row);
    });

    it('updates the fields a patch names, including flags and labels; survives a reopen; deletes', async () => {
      let s = await store();
      const id = await s.write((tx) => tx.insertHeartbeat(newHeartbeat('etl', 'api', null, spec, 1_000)));
      const patch = {
        state: 'down' as const,
        paused: true,
        lastPingAt: 2_000,
        lastPingKind: 'fail',
        lastExitCode: 3,
        lastOutput: 'disk full',
        downSince: 2_000,
        firedLabels: { alertname: 'HeartbeatDown', heartbeat: 'etl' },
        note: 'noted',
        updatedAt: 2_000,
      };
      await s.write((tx) => tx.updateHeartbeat(id, patch));
      s = await reopen(s);
      expect(await s.getHeartbeat('etl')).toEqual({ id, ...newHeartbeat('etl', 'api', null, spec, 1_000), ...patch });
      await s.write((tx) => tx.deleteHeartbeat(id));
      expect(await s.getHeartbeat('etl')).toBeUndefined();
    });

    it('dueHeartbeats: the names whose check is due, earliest first, at most the limit; nextHeartbeatCheckAt the earliest', async () => {
      const s = await store();
      expect(await s.nextHeartbeatCheckAt()).toBeNull();
      await s.write(async (tx) => {
        for (const [name, checkAt] of [['c', 3_000], ['a', 1_000], ['b', 2_000], ['n', null], ['later', 9_000]] as const) {
          await tx.insertHeartbeat({ ...newHeartbeat(name, 'api', null, { ...spec, name }, 0), checkAt });
        }
      });
      expect(await s.dueHeartbeats(3_000, 10)).toEqual(['a', 'b', 'c']);
      expect(await s.dueHeartbeats(3_000, 2)).toEqual(['a', 'b']);
      expect(await s.dueHeartbeats(999, 10)).toEqual([]);
      expect(await s.nextHeartbeatCheckAt()).toBe(1_000);
    });

    it('keeps one monitor per name and one per key hash', async () => {
      const s = await store();
      await s.write((tx) => tx.insertHeartbeat({ ...newHeartbeat('etl', 'api', null, spec, 0), keyHash: 'k' }));
      await expect(s.write((tx) => tx.insertHeartbeat(newHeartbeat('etl', 'api', null, spec, 0)))).rejects.toThrow();
      await expect(s.write((tx) => tx.insertHeartbeat({ ...newHeartbeat('other', 'api', null, spec, 0), keyHash: 'k' }))).rejects.toThrow();
      expect((await s.listHeartbeats()).map((h) => h.name)).toEqual(['etl']);
    });

    it('marks: a named instant, null until set, replaced when set again', async () => {
      const s = await store();
      expect(await s.write((tx) => tx.markedAt('heartbeat-sweep'))).toBeNull();
      await s.write((tx) => tx.setMark('heartbeat-sweep', 5_000));
      await s.write((tx) => tx.setMark('heartbeat-sweep', 7_000));
      expect(await s.write((tx) => tx.markedAt('heartbeat-sweep'))).toBe(7_000);
    });
  });
}
