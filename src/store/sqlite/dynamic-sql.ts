import type { Stmt } from './statements.js';

/** Fields stored as JSON text, whichever table they are in. */
const jsonFields = new Set(['labels', 'annotations', 'links', 'values', 'suppressedBy', 'matchers', 'policy']);

/** Converts a field value to what SQLite stores (JSON text, 0/1 for booleans). */
export function toColumnValue(field: string, value: unknown): unknown {
  if (jsonFields.has(field)) return value == null ? null : JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/** UPDATE of the row with this id, setting the fields the patch names (fields without a column are ignored). */
export function updateById(stmt: Stmt, table: string, columns: Record<string, string>, id: number | string, patch: object): void {
  const values = patch as Record<string, unknown>;
  const fields = Object.keys(values).filter((k) => k in columns);
  if (fields.length === 0) return;
  const sql = `UPDATE ${table} SET ${fields.map((f) => `${columns[f]} = ?`).join(', ')} WHERE id = ?`;
  stmt(sql).run(...fields.map((f) => toColumnValue(f, values[f])), id);
}

/** INSERT of every column (missing fields as NULL); the new row's id. */
export function insertRow(stmt: Stmt, table: string, columns: Record<string, string>, row: object): number {
  const values = row as Record<string, unknown>;
  const fields = Object.keys(columns);
  const sql = `INSERT INTO ${table} (${fields.map((f) => columns[f]).join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`;
  return Number(stmt(sql).run(...fields.map((f) => toColumnValue(f, values[f] ?? null))).lastInsertRowid);
}

/** The terms of a WHERE built from optional filters, with their arguments in order. */
export class Where {
  private readonly terms: string[] = [];
  readonly args: unknown[] = [];

  /** `column = value`, unless the value is undefined (no filter). */
  equal(column: string, value: unknown): this {
    return value === undefined ? this : this.add(`${column} = ?`, value);
  }

  add(term: string, ...args: unknown[]): this {
    this.terms.push(term);
    this.args.push(...args);
    return this;
  }

  /** `WHERE a AND b`, or nothing without terms. */
  toString(): string {
    return this.terms.length ? `WHERE ${this.terms.join(' AND ')}` : '';
  }
}
