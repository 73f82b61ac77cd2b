import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyFault, isConflictRetry, isTransientStoreError } from '../../src/store/postgres/faults.js';
import { postgresMigrations } from '../../src/store/postgres/migrations.js';
import { checkSchema, migrate, SchemaTooNewError, schemaVersion } from '../../src/store/postgres/schema.js';
import { freshDatabase, requirePostgres } from '../helpers/postgres.js';

let db: Awaited<ReturnType<typeof freshDatabase>>;
const pools: pg.Pool[] = [];
const poolFor = (url = db.url) => {
  const p = new pg.Pool({ connectionString: url, max: 3 });
  // The database is dropped with FORCE at the end: an idle connection ended by it is no test failure.
  p.on('error', () => {});
  pools.push(p);
  return p;
};

const available = requirePostgres('the PostgreSQL schema');
beforeAll(async () => {
  if (available) db = await freshDatabase();
});
afterAll(async () => {
  for (const p of pools) await p.end();
  await db?.drop();
});

if (available) describe('the PostgreSQL schema', () => {
  it('instances starting together migrate once: one applies every version, the others find it done', async () => {
    const results = await Promise.all([poolFor(), poolFor(), poolFor()].map((p) => migrate(p)));
    const applied = results.filter((r) => r.length > 0);
    expect(applied).toEqual([postgresMigrations.map((_, i) => i + 1)]);
    expect(await schemaVersion(poolFor())).toBe(postgresMigrations.length);
    // The unique open-incident index is there: the engine relies on one open incident per group key.
    const idx = await poolFor().query("SELECT indexdef FROM pg_indexes WHERE indexname = 'incidents_open_by_group'");
    expect(idx.rows[0].indexdef).toMatch(/CREATE UNIQUE INDEX/);
    // A second open incident of a group is refused, and that refusal is a conflict the write is run again for.
    const insert = "INSERT INTO incidents (group_key, title, status, severity, priority, source, created_at, updated_at) VALUES ('g', 't', $1, 'critical', 'P1', 'x', 0, 0)";
    await poolFor().query(insert, ['triggered']);
    await poolFor().query(insert, ['resolved']);
    const second = await poolFor().query(insert, ['acknowledged']).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: '23505', constraint: 'incidents_open_by_group' });
    expect(isConflictRetry(second)).toBe(true);
  });

  it('a Vigil older than the schema refuses to migrate or serve, and says why', async () => {
    const older = postgresMigrations.slice(0, -1); // the code of the version before
    const pool = poolFor();
    await migrate(pool);
    await expect(migrate(pool, older)).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(checkSchema(pool, older)).rejects.toThrow(/newer than this Vigil knows.*upgrade this one/);
    await expect(checkSchema(pool)).resolves.toBeUndefined();
  });

  it('a server that is not there is a transient fault: 503 with Retry-After', async () => {
    const url = new URL(db.url);
    url.port = '1'; // nothing listens there
    const pool = poolFor(url.toString());
    const err = await pool.query('SELECT 1').catch((e: unknown) => e);
    expect(isTransientStoreError(err)).toBe(true);
    expect(classifyFault(err)).toMatchObject({ status: 503, retryAfter: 2 });
    // A mistake in SQL is not transient.
    const syntax = await poolFor().query('SELEC 1').catch((e: unknown) => e);
    expect(isTransientStoreError(syntax)).toBe(false);
  });
});
