import { overrideFromRow } from '../rows/oncall-overrides.js';
import type { OncallOverrideReads, OncallOverrideTx } from '../types/oncall-overrides.js';
import type { Query } from './pool.js';

export function oncallOverrideTx(q: Query): OncallOverrideTx {
  return {
    insertOverride: async (o) => {
      await q('INSERT INTO oncall_overrides (id, schedule, person, starts_at, ends_at, created_by, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        o.id,
        o.schedule,
        o.person,
        o.startsAt,
        o.endsAt,
        o.createdBy,
        o.reason,
        o.createdAt,
      ]);
    },
    deleteOverride: async (id) => (await q('DELETE FROM oncall_overrides WHERE id = ? RETURNING id', [id])).length > 0,
  };
}

export function oncallOverrideReads(read: Query): OncallOverrideReads {
  return {
    listOverrides: async (now) => (await read('SELECT * FROM oncall_overrides WHERE ends_at > ? ORDER BY starts_at, created_at', [now])).map(overrideFromRow),
  };
}
