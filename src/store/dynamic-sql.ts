/** SQL built from field names, shared by the SQLite and PostgreSQL stores (`?` placeholders; see postgres/pool.ts). */

/** Fields stored as JSON text, whichever table they are in. */
const jsonFields = new Set(['labels', 'annotations', 'links', 'values', 'suppressedBy', 'matchers', 'policy', 'spec', 'firedLabels']);

/** Converts a field value to what the store keeps (JSON text, 0/1 for booleans). */
export function toColumnValue(field: string, value: unknown): unknown {
  return jsonFields.has(field) ? asJson(value) : asFlag(value);
}

const asJson = (value: unknown): unknown => (value == null ? null : JSON.stringify(value));
const asFlag = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

/** What an update adds to the patch's terms: more SET terms (no arguments), a further condition and its arguments. */
export interface UpdateTerms {
  set?: string;
  where?: string;
  args?: unknown[];
}

/** UPDATE of the row with this id, setting the fields the patch names (fields without a column are ignored); null when it names none. */
export function updateByIdSql(table: string, columns: Record<string, string>, id: number | string, patch: object, extra: UpdateTerms = {}): { sql: string; args: unknown[] } | null {
  const values = patch as Record<string, unknown>;
  const fields = Object.keys(values).filter((k) => k in columns);
  if (fields.length === 0) return null;
  const set = [...fields.map((f) => `${columns[f]} = ?`), ...(extra.set ? [extra.set] : [])].join(', ');
  return {
    sql: `UPDATE ${table} SET ${set} WHERE id = ?${extra.where ? ` AND ${extra.where}` : ''}`,
    args: [...fields.map((f) => toColumnValue(f, values[f])), id, ...(extra.args ?? [])],
  };
}

/** INSERT of every column (missing fields as NULL). */
export function insertRowSql(table: string, columns: Record<string, string>, row: object): { sql: string; args: unknown[] } {
  const { sql, argsOf } = insertOf(table, columns);
  return { sql, args: argsOf(row) };
}

/**
 * The column values of a row in the order of `Object.keys(columns)`, as toColumnValue gives them (missing as NULL).
 * Made once per column list and compiled to one array literal: read by name in a loop, every field was a
 * megamorphic lookup, thousands of rows a second in a storm. Field names come from this code, never from input.
 */
export function columnValuesOf(columns: Record<string, string>): (row: object) => unknown[] {
  let argsOf = compiledValues.get(columns);
  if (!argsOf) {
    const values = Object.keys(columns).map((f) => `${jsonFields.has(f) ? 'json' : 'flag'}(r[${JSON.stringify(f)}] ?? null)`);
    argsOf = new Function('json', 'flag', `return (r) => [${values.join(', ')}];`)(asJson, asFlag) as (row: object) => unknown[];
    compiledValues.set(columns, argsOf);
  }
  return argsOf;
}
const compiledValues = new WeakMap<Record<string, string>, (row: object) => unknown[]>();

/** The INSERT text of a table is the same every time: written once (a storm inserts thousands of rows a second). */
const inserts = new WeakMap<Record<string, string>, Map<string, { sql: string; argsOf: (row: object) => unknown[] }>>();
function insertOf(table: string, columns: Record<string, string>): { sql: string; argsOf: (row: object) => unknown[] } {
  let byTable = inserts.get(columns);
  if (!byTable) inserts.set(columns, (byTable = new Map()));
  let found = byTable.get(table);
  if (!found) {
    const fields = Object.keys(columns);
    found = { sql: `INSERT INTO ${table} (${fields.map((f) => columns[f]).join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`, argsOf: columnValuesOf(columns) };
    byTable.set(table, found);
  }
  return found;
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
