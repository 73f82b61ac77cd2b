import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isOpenFailure } from './faults.js';
import { migrations } from './migrations.js';
import { DatabaseOpenError, explainOpenFailure } from './open-problem.js';
import { DatabaseInUseError, lockDatabase, type ProcessLock } from './process-lock.js';
import { checkSchema, migrate } from './schema.js';

const WAL_CHECKPOINT_PAGES = 10_000;
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

export interface OpenOptions {
  path: string;
  synchronous: 'full' | 'normal';
  busyTimeoutMs: number;
  readonly?: boolean;
  alongside?: boolean;
}

/** The process lock when no Vigil holds it, else null. */
function lockIfFree(file: string): ProcessLock | null {
  try {
    return lockDatabase(file);
  } catch (err) {
    if (err instanceof DatabaseInUseError) return null;
    throw err;
  }
}

/**
 * Opens the file as the options ask (see SqliteStoreOptions): serving takes the process lock and migrates;
 * a reader, or a short write next to a serving Vigil, checks the schema instead. The lock is returned only
 * when it is to be kept for as long as the database is open.
 */
export function openDatabase(options: OpenOptions): { db: Database.Database; lock: ProcessLock | null } {
  const file = options.path;
  const mode = options.readonly ? 'read' : 'write';
  const explained = (err: unknown) => (isOpenFailure(err) ? new DatabaseOpenError(file, explainOpenFailure(file, err, mode), err) : err);
  let lock: ProcessLock | null = null;
  let db: Database.Database;
  try {
    if (file !== ':memory:' && !options.readonly) {
      mkdirSync(path.dirname(file), { recursive: true });
      lock = options.alongside ? lockIfFree(file) : lockDatabase(file);
    }
    db = new Database(file, { timeout: options.busyTimeoutMs, readonly: options.readonly === true, fileMustExist: options.readonly === true });
  } catch (err) {
    lock?.release();
    throw explained(err);
  }
  try {
    if (options.readonly || (options.alongside && !lock)) {
      checkSchema(db, file);
      if (!options.readonly) db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
    } else {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous.toUpperCase()}`);
      // Every write of a group commit runs in its own savepoint, whose journal of changed pages would go to a
      // temporary file: in memory, a write's statements cost half.
      db.pragma('temp_store = MEMORY');
      // A checkpoint copies the WAL's pages into the file and syncs it. Every 1,000 pages (SQLite's default) an alert
      // storm checkpoints every few commits, rewriting the same index pages each time; every 10,000 (about 40 MB)
      // takes a quarter off what the database costs a stored alert. The file is cut back to 64 MB after a checkpoint.
      db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      migrate(db, file);
      // SQLite opens a file it may not write read-only without a word: one real write finds out now, not at the first alert.
      db.pragma(`user_version = ${migrations.length}`);
    }
  } catch (err) {
    db.close();
    lock?.release();
    throw explained(err);
  }
  // Migrated while nobody served the file; a Vigil may start on it now.
  if (options.alongside) {
    lock?.release();
    lock = null;
  }
  return { db, lock };
}
