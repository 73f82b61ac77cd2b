import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';

export const repoRoot = path.join(import.meta.dirname, '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli', 'main.js');

export interface RunningVigil {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts the built CLI (`vigil serve`) as a child process and waits until /healthz answers. */
export async function spawnVigil(env: Record<string, string>, port: number): Promise<RunningVigil> {
  const child = spawn(process.execPath, [cliPath, 'serve'], {
    cwd: repoRoot,
    env: { ...process.env, VIGIL_PORT: String(port), VIGIL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vigil exited early (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`vigil did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url,
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      // A process that does not stop in time is killed, so no test leaves one behind.
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(force);
      return code;
    },
  };
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a built CLI command to its end (log level warn, 20 s at the most): its exit code and output. */
export async function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [cliPath, ...args], {
      cwd: repoRoot,
      env: { ...process.env, VIGIL_LOG_LEVEL: 'warn', ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * A config file in `dir` whose rules page the on-call role (Dana) by webhook only on critical incidents (the
 * shipped policies otherwise, with `critical` overrides); `config` is the rest of vigil.yaml.
 */
export function writeWebhookSetup(dir: string, config: Record<string, unknown>, critical: Record<string, unknown> = {}): string {
  const rules = path.join(dir, 'rules');
  mkdirSync(rules);
  const policies = parse(readFileSync(path.join(repoRoot, 'rules', '00-policies.yaml'), 'utf8'));
  Object.assign(policies.policies.critical, { notify: [{ role: 'oncall', channels: ['webhook'] }], ...critical });
  writeFileSync(path.join(rules, '00-policies.yaml'), stringify(policies));
  writeFileSync(
    path.join(rules, '20-people.yaml'),
    stringify({
      people: [{ id: 'dana', name: 'Dana Oncall', email: 'dana@example.com' }],
      teams: [{ name: 'ops', members: ['dana'], roles: { oncall: ['dana'], owner: ['dana'] } }],
      defaultTeam: 'ops',
    }),
  );
  const file = path.join(dir, 'vigil.yaml');
  writeFileSync(file, stringify({ rules: { dir: 'rules' }, ...config }));
  return file;
}

const processDatabases: { drop: () => Promise<void> }[] = [];

/**
 * The database a spawned Vigil keeps its data in: a SQLite file in `dir`, or with VIGIL_TEST_STORE=postgres
 * (the `postgres` project) a fresh PostgreSQL database, dropped by dropProcessDatabases().
 */
export async function processDatabase(dir: string): Promise<string> {
  if (process.env.VIGIL_TEST_STORE !== 'postgres') return path.join(dir, 'vigil.db');
  const { freshDatabase } = await import('./postgres.js');
  const db = await freshDatabase();
  processDatabases.push(db);
  return db.url;
}

/** After the Vigils on them have stopped. */
export async function dropProcessDatabases(): Promise<void> {
  for (const db of processDatabases.splice(0)) await db.drop();
}

/** One column of every row of a table, read straight from a Vigil database (a SQLite file or a postgres:// URL). */
export async function columnOf(database: string, table: string, column: string): Promise<unknown[]> {
  if (/^postgres(ql)?:\/\//.test(database)) {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: database });
    await c.connect();
    try {
      return (await c.query(`SELECT ${column} AS v FROM ${table}`)).rows.map((r) => r.v);
    } finally {
      await c.end();
    }
  }
  const { default: Database } = await import('better-sqlite3');
  const d = new Database(database, { readonly: true });
  try {
    return (d.prepare(`SELECT ${column} AS v FROM ${table}`).all() as { v: unknown }[]).map((r) => r.v);
  } finally {
    d.close();
  }
}
