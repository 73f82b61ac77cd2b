import { insertRowSql } from '../dynamic-sql.js';
import { oncallOverrides, overrideFromRow } from '../rows/oncall-overrides.js';
import type { OncallOverrideReads, OncallOverrideTx } from '../types/oncall-overrides.js';
import type { Query } from './pool.js';

/** Every column, the id included: an override's id is made by Vigil, not by the database. */
const columns = { id: 'id', ...oncallOverrides.writable };

export function oncallOverrideTx(q: Query): OncallOverrideTx {
  return {
    insertOverride: async (o) => {
      const insert = insertRowSql('oncall_overrides', columns, o);
      await q(insert.sql, insert.args);
    },
    deleteOverride: async (id) => (await q('DELETE FROM oncall_overrides WHERE id = ? RETURNING id', [id])).length > 0,
  };
}

export function oncallOverrideReads(read: Query): OncallOverrideReads {
  return {
    listOverrides: async (now) => (await read('SELECT * FROM oncall_overrides WHERE ends_at > ? ORDER BY starts_at, created_at', [now])).map(overrideFromRow),
  };
}
