import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** What the file system says about a path: what it is, and whether this process may read or write it. */
export interface PathProbe {
  kind(p: string): 'file' | 'directory' | 'other' | 'missing';
  /** null when allowed, else the errno code (EACCES, EROFS, ...). */
  access(p: string, mode: 'read' | 'write'): string | null;
}

const errno = (err: unknown) => String((err as { code?: unknown })?.code ?? 'EIO');

export const fsProbe: PathProbe = {
  kind(p) {
    try {
      const s = statSync(p);
      return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
    } catch (err) {
      // ENOTDIR: a component of the path is a file, so nothing exists at the path.
      return errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR' ? 'missing' : 'other';
    }
  },
  access(p, mode) {
    try {
      accessSync(p, mode === 'read' ? constants.R_OK : constants.R_OK | constants.W_OK);
      return null;
    } catch (err) {
      return errno(err);
    }
  },
};

function why(code: string): string {
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied${typeof process.getuid === 'function' ? ` for uid ${process.getuid()}` : ''}`;
  return code;
}

/** The nearest ancestor of p that exists (the root at the latest). */
function existingAncestor(p: string, probe: PathProbe): string {
  let dir = p;
  while (probe.kind(dir) === 'missing' && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/**
 * Why a database cannot be opened, in words naming the path: SQLite itself only says "unable to open database
 * file". `mode` is how it was opened: `write` for the store that serves (which also creates the file, its
 * directory, the WAL files beside it and the lock file), `read` for `vigil report` and `vigil rules test`.
 */
export function explainOpenFailure(dbPath: string, err: unknown, mode: 'read' | 'write', probe: PathProbe = fsProbe): string {
  const code = errno(err);
  const dir = path.dirname(dbPath);
  const cannot = `cannot open database ${dbPath}`;
  if (code === 'SQLITE_NOTADB') return `${cannot}: the file is not a SQLite database`;
  const dirKind = probe.kind(dir);
  if (dirKind === 'missing') {
    if (mode === 'read') return `no database at ${dbPath} (directory ${dir} does not exist)`;
    const base = existingAncestor(dir, probe);
    const baseKind = probe.kind(base);
    if (baseKind !== 'directory') return `${cannot}: directory ${dir} cannot be created because ${base} is not a directory`;
    const denied = probe.access(base, 'write');
    return `${cannot}: directory ${dir} does not exist and cannot be created in ${base}${denied ? ` (${why(denied)})` : ''}`;
  }
  if (dirKind !== 'directory') return `${cannot}: ${dir} is not a directory`;
  const fileKind = probe.kind(dbPath);
  if (fileKind === 'directory') return `${cannot}: it is a directory, not a database file`;
  if (fileKind === 'other') return `${cannot}: it is not a regular file`;
  if (fileKind === 'missing') {
    if (mode === 'read') return `no database at ${dbPath}`;
    const denied = probe.access(dir, 'write');
    if (denied) return `${cannot}: the file does not exist and cannot be created in ${dir} (${why(denied)})`;
  } else {
    const denied = probe.access(dbPath, mode);
    if (denied) return `${cannot} for ${mode === 'read' ? 'reading' : 'writing'}: ${why(denied)}`;
    // WAL mode keeps two files beside the database (-wal, -shm), and the serving store a lock file: all need the directory.
    const dirDenied = probe.access(dir, 'write');
    if (dirDenied) {
      return mode === 'write'
        ? `${cannot}: directory ${dir} is not writable (${why(dirDenied)}); SQLite keeps its -wal and -shm files and Vigil its lock file there`
        : `${cannot}: directory ${dir} is not writable (${why(dirDenied)}) and SQLite needs its -shm file there; read it while Vigil runs, or as the user Vigil runs as`;
    }
  }
  if (code === 'SQLITE_READONLY') return `${cannot}: it is read-only`;
  return `${cannot}: ${(err as Error)?.message ?? String(err)}`;
}

/** An error for a database that could not be opened, with the reason in its message. */
export class DatabaseOpenError extends Error {
  constructor(
    readonly dbPath: string,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'DatabaseOpenError';
  }
}
