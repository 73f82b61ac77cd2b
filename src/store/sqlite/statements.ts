import type Database from 'better-sqlite3';
import { arrayReader, hasArrayReader, type Raw } from '../row-mapping.js';

export type { Raw };

/** A prepared statement for this SQL, prepared once per store. */
export type Stmt = (sql: string) => Database.Statement;
/** Runs a synchronous read with the store's checks and fault classification. */
export type Read = <T>(fn: () => T) => Promise<T>;

export function statementCache(db: Database.Database): Stmt {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
}

/** The first row of a query, mapped, or undefined. */
export function rowOf<T>(stmt: Stmt, sql: string, map: (r: Raw) => T, ...args: unknown[]): T | undefined {
  const s = stmt(sql);
  const fromValues = readerOf(s, map);
  if (fromValues) {
    const values = asArrays(s, () => s.get(...args) as unknown[] | undefined);
    return values ? fromValues(values) : undefined;
  }
  const r = s.raw(false).get(...args) as Raw | undefined;
  return r ? map(r) : undefined;
}

/** Every row of a query, mapped. */
export function rowsOf<T>(stmt: Stmt, sql: string, map: (r: Raw) => T, ...args: unknown[]): T[] {
  const s = stmt(sql);
  const fromValues = readerOf(s, map);
  if (fromValues) return asArrays(s, () => s.all(...args) as unknown[][]).map(fromValues);
  return (s.raw(false).all(...args) as Raw[]).map(map);
}

/** Runs a read of the statement in raw mode (rows as arrays), then puts it back: callers who read it directly get objects. */
export function asArrays<T>(s: Database.Statement, read: () => T): T {
  s.raw(true);
  try {
    return read();
  } finally {
    s.raw(false);
  }
}

/**
 * Rows of a table's mapping are read as arrays (row-mapping.ts arrayReader), compiled once per statement and mapping
 * from the statement's columns. Migrations run when the database opens, before any statement is prepared, so the
 * columns of a prepared statement do not change under it.
 */
const readers = new WeakMap<Database.Statement, Map<(r: Raw) => unknown, (values: unknown[]) => unknown>>();
function readerOf<T>(s: Database.Statement, map: (r: Raw) => T): ((values: unknown[]) => T) | undefined {
  // Any other function may be a new closure on every call: never kept here.
  if (!hasArrayReader(map)) return undefined;
  let byMap = readers.get(s);
  if (!byMap) readers.set(s, (byMap = new Map()));
  let reader = byMap.get(map);
  if (!reader) {
    reader = arrayReader(map, s.columns().map((c) => c.name))!;
    byMap.set(map, reader);
  }
  return reader as (values: unknown[]) => T;
}
