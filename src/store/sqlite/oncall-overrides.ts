import { insertRowSql } from '../dynamic-sql.js';
import { oncallOverrides, overrideFromRow } from '../rows/oncall-overrides.js';
import type { OncallOverrideReads, OncallOverrideTx } from '../types/oncall-overrides.js';
import { type Read, rowsOf, type Stmt } from './statements.js';

/** Every column, the id included: an override's id is made by Vigil, not by the database. */
const columns = { id: 'id', ...oncallOverrides.writable };

export function oncallOverrideTx(stmt: Stmt): OncallOverrideTx {
  return {
    insertOverride: (o) => {
      const insert = insertRowSql('oncall_overrides', columns, o);
      stmt(insert.sql).run(...insert.args);
      return Promise.resolve();
    },
    deleteOverride: (id) => Promise.resolve(stmt('DELETE FROM oncall_overrides WHERE id = ?').run(id).changes > 0),
  };
}

export function oncallOverrideReads(stmt: Stmt, read: Read): OncallOverrideReads {
  return {
    listOverrides: (now) => read(() => rowsOf(stmt, 'SELECT * FROM oncall_overrides WHERE ends_at > ? ORDER BY starts_at, created_at', overrideFromRow, now)),
  };
}
