import { insertRowSql, updateByIdSql } from '../dynamic-sql.js';
import type { Query } from './pool.js';

export { Where } from '../dynamic-sql.js';

/** UPDATE of the row with this id, setting the fields the patch names (fields without a column are ignored). */
export async function updateById(q: Query, table: string, columns: Record<string, string>, id: number | string, patch: object): Promise<void> {
  const update = updateByIdSql(table, columns, id, patch);
  if (update) await q(update.sql, update.args);
}

/** INSERT of every column (missing fields as NULL); the new row's id. */
export async function insertRow(q: Query, table: string, columns: Record<string, string>, row: object): Promise<number> {
  const insert = insertRowSql(table, columns, row);
  const [r] = await q(`${insert.sql} RETURNING id`, insert.args);
  return Number(r!.id);
}
