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

const asIs = (v: unknown) => v ?? null;
const decoders = {
  json: (v: unknown) => (v == null ? null : JSON.parse(v as string)),
  flag: (v: unknown) => v === 1,
};

/** The one way a table's rows are read and its columns named for writes. */
export function rowMapping<Row>(columns: RowColumns<Row>): RowMapping<Row> {
  const fields = Object.entries(columns as Record<string, string | readonly [string, Decode]>).map(([field, spec]) => {
    const [column, decode] = typeof spec === 'string' ? [spec, undefined] : spec;
    return { field, column, decode: decode === undefined ? asIs : typeof decode === 'function' ? decode : decoders[decode] };
  });
  // Compiled once per table into one object literal: an object filled field by field in a loop is ten times
  // slower to build and to read, on every row of every query. Names and columns come from this code, never input.
  const literal = fields.map((f, i) => `${JSON.stringify(f.field)}: decode[${i}](r[${JSON.stringify(f.column)}])`).join(', ');
  const fromRow = new Function('decode', `return (r) => ({ ${literal} });`)(fields.map((f) => f.decode)) as (r: Raw) => Row;
  return { fromRow, writable: Object.fromEntries(fields.filter((f) => f.field !== 'id').map((f) => [f.field, f.column])) };
}
