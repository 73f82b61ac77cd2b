import { overrideFromRow } from '../rows/oncall-overrides.js';
import type { OncallOverrideReads, OncallOverrideTx } from '../types/oncall-overrides.js';
import { type Read, rowsOf, type Stmt } from './statements.js';

export function oncallOverrideTx(stmt: Stmt): OncallOverrideTx {
  return {
    insertOverride: (o) => {
      stmt('INSERT INTO oncall_overrides (id, schedule, person, starts_at, ends_at, created_by, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
        o.id,
        o.schedule,
        o.person,
        o.startsAt,
        o.endsAt,
        o.createdBy,
        o.reason,
        o.createdAt,
      );
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
