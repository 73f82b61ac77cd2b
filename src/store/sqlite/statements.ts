import type Database from 'better-sqlite3';
import type { Raw } from '../row-mapping.js';

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
  const r = stmt(sql).get(...args) as Raw | undefined;
  return r ? map(r) : undefined;
}

/** Every row of a query, mapped. */
export function rowsOf<T>(stmt: Stmt, sql: string, map: (r: Raw) => T, ...args: unknown[]): T[] {
  return (stmt(sql).all(...args) as Raw[]).map(map);
}
