import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';

/** Who holds a database, as written next to it for the refusal message. */
export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export interface ProcessLock {
  readonly lockFile: string;
  release(): void;
}

/** A second Vigil on a database that another one serves: it must not start. */
export class DatabaseInUseError extends Error {
  constructor(
    readonly dbPath: string,
    readonly owner: LockOwner | null,
  ) {
    super(inUseMessage(dbPath, owner));
    this.name = 'DatabaseInUseError';
  }
}

export const lockFileOf = (dbPath: string) => `${dbPath}.lock`;
export const ownerFileOf = (dbPath: string) => `${dbPath}.lock.owner`;

export function inUseMessage(dbPath: string, owner: LockOwner | null): string {
  if (owner && owner.pid === process.pid && owner.host === hostname()) {
    return `database ${dbPath} is already open in this process (pid ${owner.pid}); the embedded SQLite store serves one store at a time — close the other one first`;
  }
  const who = owner
    ? ` (pid ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`}, started ${owner.startedAt})`
    : '';
  return `database ${dbPath} is in use by another Vigil${who}; the embedded SQLite store serves one process — stop the other one, or use PostgreSQL for several instances`;
}

function readOwner(dbPath: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(ownerFileOf(dbPath), 'utf8')) as Partial<LockOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.startedAt === 'string'
      ? { pid: o.pid, host: o.host, startedAt: o.startedAt }
      : null;
  } catch {
    return null;
  }
}

const isBusy = (err: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown })?.code));

/**
 * Makes the process that serves a database its only writer. Each Vigil trusts its own cache of alert state,
 * so a second one on the same file would act on stale state (drop re-fired alerts, page twice).
 *
 * The lock is a sidecar SQLite file (`vigil.db.lock`) held in an exclusive transaction for the process's life:
 * SQLite takes POSIX locks, which the kernel drops when the process dies (kill -9 leaves no stale lock), and
 * SQLite also refuses a second connection from the same process. The database itself stays unlocked, so
 * readers (`vigil report`, `vigil rules test`) work while Vigil runs. The lock file is never deleted:
 * unlinking it could let two processes lock two different files of the same name.
 */
export function lockDatabase(dbPath: string): ProcessLock {
  const lockFile = lockFileOf(dbPath);
  const db = new Database(lockFile, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if (isBusy(err)) throw new DatabaseInUseError(dbPath, readOwner(dbPath));
    throw err;
  }
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date(Date.now() - Math.round(process.uptime() * 1000)).toISOString(),
  };
  const ownerFile = ownerFileOf(dbPath);
  try {
    // Written aside and renamed, so a refused process never reads half a file.
    writeFileSync(`${ownerFile}.${process.pid}`, `${JSON.stringify(owner)}\n`);
    renameSync(`${ownerFile}.${process.pid}`, ownerFile);
  } catch {
    // Only the refusal message of a second process would miss the pid; the lock itself holds.
  }
  let released = false;
  return {
    lockFile,
    release() {
      if (released) return;
      released = true;
      // The owner file goes first: once the lock is free, the next owner may already be writing its own.
      const current = readOwner(dbPath);
      if (current && current.pid === owner.pid && current.host === owner.host) rmSync(ownerFile, { force: true });
      db.close();
    },
  };
}
