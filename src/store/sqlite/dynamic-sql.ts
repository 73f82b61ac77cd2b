import { insertRowSql, updateByIdSql } from '../dynamic-sql.js';
import type { Stmt } from './statements.js';

export { Where } from '../dynamic-sql.js';

/** UPDATE of the row with this id, setting the fields the patch names (fields without a column are ignored). */
export function updateById(stmt: Stmt, table: string, columns: Record<string, string>, id: number | string, patch: object): void {
  const update = updateByIdSql(table, columns, id, patch);
  if (update) stmt(update.sql).run(...update.args);
}

/** INSERT of every column (missing fields as NULL); the new row's id. */
export function insertRow(stmt: Stmt, table: string, columns: Record<string, string>, row: object): number {
  const insert = insertRowSql(table, columns, row);
  return Number(stmt(insert.sql).run(...insert.args).lastInsertRowid);
}
