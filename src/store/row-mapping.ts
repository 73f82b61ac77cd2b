/** A row as the database driver returns it: column name to value. */
export type Raw = Record<string, unknown>;

/** How a stored value becomes the field's: JSON text parsed, a 0/1 column as a boolean, or a function of its own. */
export type Decode = 'json' | 'flag' | ((stored: unknown) => unknown);

/**
 * For each field of a row: its column, or its column and how to decode it. The order of the fields is the
 * order of the row's keys (rows go out as JSON as they are). NULL is null.
 */
export type RowColumns<Row> = { [K in keyof Row]-?: string | readonly [column: string, decode: Decode] };

export interface RowMapping<Row> {
  fromRow: (r: Raw) => Row;
  /** Every field but id, to its column: what inserts and updates may write. */
  writable: Record<string, string>;
}

interface MappedField {
  field: string;
  column: string;
  decode: (stored: unknown) => unknown;
}

/** The fields of each fromRow that rowMapping made, so a reader of rows as arrays can be compiled for it. */
const mappedFields = new WeakMap<(r: Raw) => unknown, MappedField[]>();

/** True for a fromRow of rowMapping (a table's, made once): arrayReader compiles a reader for it. */
export function hasArrayReader(fromRow: (r: Raw) => unknown): boolean {
  return mappedFields.has(fromRow);
}

/**
 * For a fromRow of rowMapping, the same mapping from a row given as an array of values whose column names are
 * `columns` (a result's columns in order; of repeated names the last counts, as in a row object); undefined for
 * any other function. The driver builds an array far faster than an object of named columns (SQLite: 28 columns
 * an incident, a third of the time of a storm's read of its open incidents).
 */
export function arrayReader<T>(fromRow: (r: Raw) => T, columns: readonly string[]): ((values: unknown[]) => T) | undefined {
  const fields = mappedFields.get(fromRow);
  if (!fields) return undefined;
  const at = new Map(columns.map((c, i) => [c, i]));
  const literal = fields.map((f, i) => `${JSON.stringify(f.field)}: decode[${i}](${at.has(f.column) ? `a[${at.get(f.column)}]` : 'undefined'})`).join(', ');
  return new Function('decode', `return (a) => ({ ${literal} });`)(fields.map((f) => f.decode)) as (values: unknown[]) => T;
}

const asIs = (v: unknown) => v ?? null;
const decoders = {
  json: (v: unknown) => (v == null ? null : JSON.parse(v as string)),
  flag: (v: unknown) => v === 1,
};

/** The one way a table's rows are read and its columns named for writes. */
export function rowMapping<Row>(columns: RowColumns<Row>): RowMapping<Row> {
  const fields = Object.entries(columns as Record<string, string | readonly [string, Decode]>).map(([field, spec]) => {
    const [column, decode] = typeof spec === 'string' ? [spec, undefined] : spec;
    return { field, column, decode: decode === undefined ? asIs : typeof decode === 'function' ? decode : decoders[decode] } satisfies MappedField;
  });
  // Compiled once per table into one object literal: an object filled field by field in a loop is ten times
  // slower to build and to read, on every row of every query. Names and columns come from this code, never input.
  const literal = fields.map((f, i) => `${JSON.stringify(f.field)}: decode[${i}](r[${JSON.stringify(f.column)}])`).join(', ');
  const fromRow = new Function('decode', `return (r) => ({ ${literal} });`)(fields.map((f) => f.decode)) as (r: Raw) => Row;
  mappedFields.set(fromRow, fields);
  return { fromRow, writable: Object.fromEntries(fields.filter((f) => f.field !== 'id').map((f) => [f.field, f.column])) };
}
