import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * A throwaway PostgreSQL 15 cluster for the whole test run (the PostgreSQL store's tests create a database
 * per test file in it), or the server named by VIGIL_TEST_POSTGRES_URL (an admin URL, e.g. a local install).
 * PostgreSQL refuses to run as root: as root, the cluster is run as the `postgres` user.
 */
const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.VIGIL_TEST_POSTGRES_URL) {
    project.provide('postgresUrl', process.env.VIGIL_TEST_POSTGRES_URL);
    return undefined;
  }
  const bin = BIN_DIRS.find((d) => existsSync(path.join(d, 'initdb')));
  if (!bin) {
    // The PostgreSQL tests fail with this, naming what is missing; every other test runs as usual.
    project.provide('postgresUrl', 'missing: install the postgresql package (initdb, pg_ctl) or set VIGIL_TEST_POSTGRES_URL');
    return undefined;
  }
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-pg-'));
  chmodSync(dir, 0o777);
  const data = path.join(dir, 'data');
  const run = (cmd: string, args: string[]) =>
    root ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
  const port = await freePort();
  run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  run(path.join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    path.join(dir, 'server.log'),
    '-w',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`,
    'start',
  ]);
  project.provide('postgresUrl', `postgres://postgres@127.0.0.1:${port}/postgres`);
  return () => {
    if (root) spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'], { stdio: 'ignore' });
    else spawnSync(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
}
