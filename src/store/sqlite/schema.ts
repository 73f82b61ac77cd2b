import type Database from 'better-sqlite3';
import { migrations } from './migrations.js';

function schemaVersion(db: Database.Database, file: string): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database ${file} has schema version ${current}, newer than this Vigil (${migrations.length}); upgrade Vigil`);
  }
  return current;
}

/** A reader runs no migrations: a database it does not understand is refused with what to do. */
export function checkSchema(db: Database.Database, file: string): void {
  const current = schemaVersion(db, file);
  if (current === migrations.length) return;
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
  if (current === 0 && tables === 0) throw new Error(`database ${file} is empty: it is not a Vigil database yet`);
  if (current === 0) throw new Error(`database ${file} is not a Vigil database`);
  throw new Error(
    `database ${file} has schema version ${current}, older than this Vigil (${migrations.length}); start \`vigil serve\` on it once to upgrade it`,
  );
}

/** Brings the schema up to this Vigil's version, one transaction per migration. */
export function migrate(db: Database.Database, file: string): void {
  const current = schemaVersion(db, file);
  // Off while migrating, so a migration can rebuild a table that others reference (SQLite's documented way);
  // each migration is checked for broken references before it commits.
  db.pragma('foreign_keys = OFF');
  try {
    for (let v = current; v < migrations.length; v++) {
      db.transaction(() => {
        db.exec(migrations[v]!);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`schema migration ${v + 1} left ${broken.length} broken references; nothing was changed`);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } finally {
    db.pragma('foreign_keys = ON');
  }
}
