import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort, repoRoot, spawnVigil, type RunningVigil } from '../helpers/process.js';
import { tempDir } from '../helpers/vigil.js';

const dirs: string[] = [];
const running: RunningVigil[] = [];
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Loaded into `vigil serve` with --import: at exit it writes the packages the process has loaded. */
const probe = `
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const names = new Set();
  for (const file of Object.keys(cache)) {
    const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)[\\\\/]/.exec(file.slice(file.lastIndexOf('node_modules')));
    if (m) names.add(m[1].replace(/\\\\/g, '/'));
  }
  writeFileSync(process.env.PACKAGES_OUT, JSON.stringify([...names].sort()));
});
`;

const providerSdks = ['twilio', '@vonage/server-sdk', '@vonage/jwt', '@alicloud/dysmsapi20170525', '@alicloud/openapi-core', 'nodemailer', 'pg', 'pino-pretty'];

/** The packages a serving Vigil with this config has loaded once it answered a page's worth of work. */
async function packagesLoaded(config: Record<string, unknown>): Promise<string[]> {
  const dir = tempDir();
  dirs.push(dir);
  const probeFile = path.join(dir, 'probe.mjs');
  writeFileSync(probeFile, probe);
  const configFile = path.join(dir, 'vigil.yaml');
  writeFileSync(configFile, stringify({ rules: { dir: path.join(repoRoot, 'rules') }, ...config }));
  const out = path.join(dir, 'packages.json');
  const vigil = await spawnVigil(
    { VIGIL_DB: path.join(dir, 'vigil.db'), VIGIL_CONFIG: configFile, PACKAGES_OUT: out, NODE_OPTIONS: `--import ${probeFile}` },
    await freePort(),
  );
  running.push(vigil);
  const alert = { labels: { alertname: 'InstanceDown', instance: 'host-1:9100', job: 'node', severity: 'critical' }, startsAt: new Date().toISOString() };
  const posted = await fetch(`${vigil.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]) });
  expect(posted.status).toBe(200);
  expect(await vigil.stop()).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as string[];
}

describe('provider SDKs load only when configured', () => {
  it('on the embedded defaults (channels in log mode, SQLite) no provider SDK, no PostgreSQL driver and no pretty printer is loaded', async () => {
    const loaded = await packagesLoaded({});
    // The probe sees what every Vigil loads.
    expect(loaded).toEqual(expect.arrayContaining(['better-sqlite3', 'express', 'pino', 'prom-client']));
    expect(loaded.filter((p) => providerSdks.includes(p))).toEqual([]);
  });

  it('a configured provider loads its SDK', async () => {
    const loaded = await packagesLoaded({
      notify: {
        twilio: { accountSid: 'AC00000000000000000000000000000000', authToken: 'token', from: '+15550100000', apiBaseUrl: 'http://127.0.0.1:9' },
        smtp: { host: '127.0.0.1', port: 9 },
      },
    });
    expect(loaded).toEqual(expect.arrayContaining(['twilio', 'nodemailer']));
    expect(loaded.filter((p) => ['pg', '@vonage/server-sdk', '@alicloud/dysmsapi20170525'].includes(p))).toEqual([]);
  });
});
