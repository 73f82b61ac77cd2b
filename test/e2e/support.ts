import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

/** Shared plumbing for the end-to-end tests that run real Prometheus and Alertmanager binaries against Vigil. */

export const inCI = process.env.CI === 'true';

/** The ingest token every end-to-end sender presents. */
export const INGEST_TOKEN = 'e2e-token';

/**
 * Whether `binary` is installed. When it is not, registers a suite that explains what to install:
 * a failing test on CI (CI=true), a skipped one elsewhere.
 */
export function requireBinary(binary: string, debianPackage: string, suite: string): boolean {
  if (existsSync(binary)) return true;
  const message = `${binary} not found: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`;
  describe(suite, () => {
    if (inCI) {
      it(`needs ${binary}`, () => {
        throw new Error(message);
      });
    } else {
      it.skip(`skipped: ${message}`, () => {});
    }
  });
  if (!inCI) console.warn(`[e2e] ${suite}: skipped, ${message}`);
  return false;
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export function writeYaml(file: string, value: unknown): string {
  writeFileSync(file, stringify(value));
  return file;
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** SIGTERM, then SIGKILL if the process is still running after `graceMs`. Resolves once it has exited. */
export async function stopChild(child: ChildProcess | undefined, graceMs = 5000): Promise<void> {
  if (!child || !alive(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), graceMs);
  });
  const killed = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (killed && alive(child)) {
    child.kill('SIGKILL');
    await exited;
  }
}

export interface RunningBinary {
  child: ChildProcess;
  url: string;
  /** The last 64 KiB of the process's stdout and stderr, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_KEEP = 64 * 1024;

/** Starts an external server and waits until `GET <url>/-/ready` answers 200. */
export async function startBinary(binary: string, args: string[], url: string, timeoutMs = 30_000): Promise<RunningBinary> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString('utf8');
    if (out.length > 2 * OUTPUT_KEEP) out = out.slice(-OUTPUT_KEEP);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let problem: string | undefined;
  child.once('error', (err) => (problem ??= `could not start: ${err.message}`));
  child.once('exit', (code, signal) => (problem ??= `exited early (${code ?? signal})`));
  const running: RunningBinary = {
    child,
    url,
    output: () => out.slice(-OUTPUT_KEEP),
    stop: () => stopChild(child),
  };
  try {
    await waitFor(
      async () => problem !== undefined || (await fetch(`${url}/-/ready`)).ok,
      timeoutMs,
      `${binary} to answer ${url}/-/ready`,
    );
    if (problem !== undefined) throw new Error(`${binary} ${problem}`);
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}\n--- ${path.basename(binary)} output ---\n${running.output()}`);
  }
  return running;
}

/** The parts of Vigil's API answers the end-to-end tests read. */
export interface ApiIncident {
  id: number;
  title: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  severity: string;
  priority: string;
  service: string | null;
  alertCount: number;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface ApiAlert {
  id: number;
  fingerprint: string;
  incidentId: number;
  source: string;
  status: 'firing' | 'resolved';
  severity: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  expiresAt: string | null;
  receiveCount: number;
}

export interface ApiIncidentDetail extends ApiIncident {
  alerts: ApiAlert[];
  timeline: { kind: string; actor: string; source: string; message: string }[];
}

export interface E2EVigil {
  vigil: RunningVigil;
  port: number;
  url: string;
  incidents(): Promise<ApiIncident[]>;
  incident(id: number): Promise<ApiIncidentDetail>;
  firingAlerts(): Promise<ApiAlert[]>;
  stop(): Promise<void>;
}

/** Starts the built Vigil CLI on loopback with its own SQLite file and the e2e ingest token (and more vigil.yaml sections). */
export async function startE2EVigil(dir: string, more: Record<string, unknown> = {}): Promise<E2EVigil> {
  const config = writeYaml(path.join(dir, 'vigil.yaml'), { server: { host: '127.0.0.1' }, ...more });
  const port = await freePort();
  const vigil = await spawnVigil(
    { VIGIL_CONFIG: config, VIGIL_DB: path.join(dir, 'vigil.db'), VIGIL_INGEST_TOKEN: INGEST_TOKEN },
    port,
  );
  return {
    vigil,
    port,
    url: vigil.url,
    incidents: async () => (await getJson<{ incidents: ApiIncident[] }>(`${vigil.url}/api/v1/incidents`)).incidents,
    incident: (id) => getJson<ApiIncidentDetail>(`${vigil.url}/api/v1/incidents/${id}`),
    firingAlerts: async () => (await getJson<{ alerts: ApiAlert[] }>(`${vigil.url}/api/v1/alerts?status=firing`)).alerts,
    stop: () => stopChild(vigil.child),
  };
}

/** GET a JSON document; throws on a non-2xx answer. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export function timelineKinds(incident: { timeline: { kind: string }[] }): string[] {
  return incident.timeline.map((e) => e.kind);
}
