import { existsSync } from 'node:fs';
import type pg from 'pg';
import { guardClient } from './postgres/postgres-store.js';
import { createPool } from './postgres/pool.js';
import { migrate } from './postgres/schema.js';
import { openDatabase } from './sqlite/open-database.js';

/** Every table, parents before the rows that refer to them. */
const TABLES = [
  'incidents',
  'alerts',
  'timeline',
  'notifications',
  'notification_attempts',
  'incident_timers',
  'silences',
  'runbook_runs',
  'runbook_approvals',
  'digest_schedules',
  'incident_reviews',
  'access_tokens',
  'sessions',
  'inbound_events',
  'heartbeats',
  'marks',
  'oncall_overrides',
];
/** Tables whose ids PostgreSQL hands out (identity columns): their next id follows the copied rows. */
const IDENTITY_TABLES = ['incidents', 'alerts', 'timeline', 'notifications', 'notification_attempts', 'heartbeats'];
/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const ROWS_PER_INSERT = 500;

export interface CopyResult {
  /** Rows copied per table, in copy order. */
  rows: { table: string; rows: number }[];
}

/**
 * Copies an embedded SQLite database into an empty PostgreSQL one, every table with its ids, in one
 * transaction (a failed copy leaves the target empty). The SQLite file is locked against a running Vigil
 * for the copy, so nothing is written to it meanwhile; it is migrated first if its schema is older.
 */
export async function copySqliteToPostgres(from: string, to: string, options: { connectTimeoutMs: number; statementTimeoutMs: number }): Promise<CopyResult> {
  if (!existsSync(from)) throw new Error(`no Vigil database at ${from}`);
  const { db, lock } = openDatabase({ path: from, synchronous: 'full', busyTimeoutMs: 5000 });
  const pool = createPool({ url: to, size: 2, connectTimeoutMs: options.connectTimeoutMs, statementTimeoutMs: options.statementTimeoutMs });
  try {
    await migrate(pool);
    const client = await pool.connect();
    guardClient(client);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      for (const table of TABLES) {
        const r = await client.query(`SELECT EXISTS (SELECT 1 FROM ${table}) AS taken`);
        if (r.rows[0].taken) throw new Error(`the PostgreSQL database already holds ${table}; copy into an empty database`);
      }
      const rows: CopyResult['rows'] = [];
      for (const table of TABLES) rows.push({ table, rows: await copyTable(db, client, table) });
      for (const table of IDENTITY_TABLES) {
        await client.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT max(id) FROM ${table}), 1), (SELECT max(id) FROM ${table}) IS NOT NULL)`);
      }
      await client.query('COMMIT');
      return { rows };
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken);
    }
  } finally {
    await pool.end();
    db.close();
    lock?.release();
  }
}

/** One table's rows, read from SQLite a batch at a time and inserted with the same columns. */
async function copyTable(db: ReturnType<typeof openDatabase>['db'], client: pg.PoolClient, table: string): Promise<number> {
  const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).all() as { name: string }[]).map((c) => c.name);
  const list = columns.map((c) => `"${c}"`).join(', ');
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const values = batch.map((_, r) => `(${columns.map((__, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
    await client.query(`INSERT INTO ${table} (${list}) OVERRIDING SYSTEM VALUE VALUES ${values}`, batch.flat());
    copied += batch.length;
    batch = [];
  };
  for (const row of db.prepare(`SELECT ${list} FROM ${table}`).raw().iterate() as IterableIterator<unknown[]>) {
    batch.push(row);
    if (batch.length >= ROWS_PER_INSERT) await flush();
  }
  await flush();
  return copied;
}
