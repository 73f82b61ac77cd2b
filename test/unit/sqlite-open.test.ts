import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/sqlite-store.js';
import { migrations } from '../../src/store/sqlite/migrations.js';
import { explainOpenFailure, type PathProbe } from '../../src/store/sqlite/open-problem.js';
import { tempDir } from '../helpers/vigil.js';

const opened: SqliteStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

function open(file: string, extra: Partial<SqliteStoreOptions> = {}) {
  const store = new SqliteStore({ path: file, synchronous: 'normal', maxPendingWrites: 100, busyTimeoutMs: 100, ...extra });
  opened.push(store);
  return store;
}

describe('one serving store per database file', () => {
  it('a second serving store on the same file is refused, also in the same process, until the first closes', async () => {
    const file = path.join(tempDir(), 'vigil.db');
    const first = open(file);
    expect(() => open(file)).toThrow(`database ${file} is already open in this process (pid ${process.pid})`);
    expect(JSON.parse(readFileSync(`${file}.lock.owner`, 'utf8'))).toMatchObject({ pid: process.pid });
    // Readers take no lock: reports read while Vigil serves.
    const reader = open(file, { readonly: true });
    expect(await reader.listIncidents({ limit: 1 })).toEqual([]);
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    expect(existsSync(`${file}.lock.owner`)).toBe(false);
    expect(() => open(file)).not.toThrow();
  });
});

describe('a read-only store', () => {
  it('refuses writes, runs no migrations, and says what to do with an older schema', async () => {
    const file = path.join(tempDir(), 'vigil.db');
    const raw = new Database(file);
    raw.exec(migrations[0]!);
    raw.pragma('user_version = 1');
    raw.close();
    expect(() => open(file, { readonly: true })).toThrow(
      `database ${file} has schema version 1, older than this Vigil (${migrations.length}); start \`vigil serve\` on it once to upgrade it`,
    );
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(1);
    check.close();

    await open(file).close();
    opened.pop();
    const reader = open(file, { readonly: true });
    await expect(reader.write(async () => 1)).rejects.toThrow(`database ${file} is open for reading only`);
  });

  it('names a missing file and a file that is not a database', () => {
    const dir = tempDir();
    expect(() => open(path.join(dir, 'nope.db'), { readonly: true })).toThrow(`no database at ${path.join(dir, 'nope.db')}`);
    const db = path.join(dir, 'vigil.db');
    new Database(db).close();
    expect(() => open(db, { readonly: true })).toThrow(`database ${db} is empty: it is not a Vigil database yet`);
  });
});

describe('why a database cannot be opened', () => {
  /** A file system described as a map: path → kind, plus the paths this user may not write and why. */
  function probe(kinds: Record<string, 'file' | 'directory'>, denied: Record<string, string> = {}): PathProbe {
    return {
      kind: (p) => kinds[p] ?? 'missing',
      access: (p) => denied[p] ?? null,
    };
  }
  const cantOpen = Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' });
  const uid = typeof process.getuid === 'function' ? ` for uid ${process.getuid()}` : '';

  it('a file this user may not write, or on a read-only file system', () => {
    const fs = probe({ '/srv/vigil': 'directory', '/srv/vigil/vigil.db': 'file' }, { '/srv/vigil/vigil.db': 'EACCES' });
    expect(explainOpenFailure('/srv/vigil/vigil.db', cantOpen, 'write', fs)).toBe(
      `cannot open database /srv/vigil/vigil.db for writing: permission denied${uid}`,
    );
    const ro = probe({ '/mnt/vigil': 'directory', '/mnt/vigil/vigil.db': 'file' }, { '/mnt/vigil/vigil.db': 'EROFS', '/mnt/vigil': 'EROFS' });
    expect(explainOpenFailure('/mnt/vigil/vigil.db', cantOpen, 'write', ro)).toBe('cannot open database /mnt/vigil/vigil.db for writing: read-only file system');
  });

  it('a directory where the file should be, and a directory that cannot be created', () => {
    expect(explainOpenFailure('/data/vigil.db', cantOpen, 'write', probe({ '/data': 'directory', '/data/vigil.db': 'directory' }))).toBe(
      'cannot open database /data/vigil.db: it is a directory, not a database file',
    );
    const enoent = Object.assign(new Error("EACCES: permission denied, mkdir '/data/vigil'"), { code: 'EACCES' });
    expect(explainOpenFailure('/data/vigil/vigil.db', enoent, 'write', probe({ '/data': 'directory' }, { '/data': 'EACCES' }))).toBe(
      `cannot open database /data/vigil/vigil.db: directory /data/vigil does not exist and cannot be created in /data (permission denied${uid})`,
    );
    expect(explainOpenFailure('/etc/hosts/vigil/vigil.db', cantOpen, 'write', probe({ '/etc': 'directory', '/etc/hosts': 'file' }))).toBe(
      'cannot open database /etc/hosts/vigil/vigil.db: directory /etc/hosts/vigil cannot be created because /etc/hosts is not a directory',
    );
  });

  it('a directory where SQLite cannot keep its WAL files', () => {
    const fs = probe({ '/srv': 'directory', '/srv/vigil.db': 'file' }, { '/srv': 'EACCES' });
    expect(explainOpenFailure('/srv/vigil.db', cantOpen, 'write', fs)).toBe(
      `cannot open database /srv/vigil.db: directory /srv is not writable (permission denied${uid}); SQLite keeps its -wal and -shm files and Vigil its lock file there`,
    );
    expect(explainOpenFailure('/srv/vigil.db', cantOpen, 'read', fs)).toMatch(/^cannot open database \/srv\/vigil\.db: directory \/srv is not writable .* SQLite needs its -shm file there/);
    expect(explainOpenFailure('/srv/other.db', cantOpen, 'read', fs)).toBe('no database at /srv/other.db');
  });
});
