import type pg from 'pg';
import { postgresMigrations } from './migrations.js';

/** Any number, the same in every instance: the lock under which an instance migrates. */
const MIGRATION_LOCK = 0x76696769; // "vigi"

export class SchemaTooNewError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `the database schema is version ${databaseVersion}, newer than this Vigil knows (${codeVersion}): ` +
        'another instance runs a newer Vigil; upgrade this one before it processes anything',
    );
    this.name = 'SchemaTooNewError';
  }
}

/** The schema version the database is at (0: never migrated). */
export async function schemaVersion(client: pg.PoolClient | pg.Pool): Promise<number> {
  const exists = await client.query("SELECT to_regclass('vigil_schema') IS NOT NULL AS present");
  if (!exists.rows[0].present) return 0;
  const r = await client.query('SELECT version FROM vigil_schema');
  return r.rows.length ? Number(r.rows[0].version) : 0;
}

/**
 * Brings the database to this code's schema. Instances starting together take the advisory lock in turn, so
 * the schema is migrated once; each version commits on its own. A database newer than the code is refused.
 * Returns the versions applied.
 */
export async function migrate(pool: pg.Pool, migrations: string[] = postgresMigrations): Promise<number[]> {
  const client = await pool.connect();
  // A connection lost while migrating fails the statement in progress; without a listener it would end the process.
  client.on('error', () => {});
  let broken: Error | undefined;
  try {
    // Another instance may be migrating: wait for it however long it takes (no statement timeout here).
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      const current = await schemaVersion(client);
      if (current > migrations.length) throw new SchemaTooNewError(current, migrations.length);
      const applied: number[] = [];
      for (let v = current; v < migrations.length; v++) {
        await client.query('BEGIN');
        try {
          if (v === 0) await client.query('CREATE TABLE IF NOT EXISTS vigil_schema (version INTEGER NOT NULL)');
          await client.query(migrations[v]!);
          await client.query('DELETE FROM vigil_schema');
          await client.query('INSERT INTO vigil_schema (version) VALUES ($1)', [v + 1]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`PostgreSQL migration to schema version ${v + 1} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(v + 1);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch((err: Error) => (broken = err));
      await client.query('RESET statement_timeout').catch((err: Error) => (broken = err));
    }
  } catch (err) {
    broken ??= err as Error;
    throw err;
  } finally {
    client.release(broken);
  }
}

/** For a process that must not migrate (a report, `vigil db` checks): the schema must be exactly this code's. */
export async function checkSchema(pool: pg.Pool, migrations: string[] = postgresMigrations): Promise<void> {
  const current = await schemaVersion(pool);
  if (current > migrations.length) throw new SchemaTooNewError(current, migrations.length);
  if (current < migrations.length) throw new Error(`the database schema is version ${current}; this Vigil needs ${migrations.length}: run \`vigil db migrate\` or start \`vigil serve\` once`);
}
