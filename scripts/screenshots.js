// `npm run screenshots`: the README's pictures of the console, made the way the browser tests run it. Starts the
// built Vigil (`node dist/cli/main.js serve`) on a temporary database, seeds a few incidents over HTTP, signs in
// with a personal token in Debian's Chromium (the tests' flags, no other host reachable) and saves the board and
// the critical pop-up under docs/.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.join(import.meta.dirname, '..');
const main = path.join(root, 'dist', 'cli', 'main.js');
const docs = path.join(root, 'docs');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child) {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`vigil serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('vigil serve did not become ready');
}

const ago = (minutes) => new Date(Date.now() - minutes * 60_000).toISOString();

function webhook(alerts) {
  return {
    version: '4',
    receiver: 'vigil',
    status: 'firing',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    groupKey: '{}:{}',
    truncatedAlerts: 0,
    alerts: alerts.map((a) => ({
      status: 'firing',
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt ?? ago(5),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
    })),
  };
}

const seed = [
  { labels: { alertname: 'HighErrorRate', service: 'checkout', team: 'platform', severity: 'critical' }, annotations: { summary: 'Checkout API error rate above 0.1 %' } },
  { labels: { alertname: 'HighCPU', service: 'search', instance: 'search-2', team: 'platform', severity: 'warning' }, annotations: { summary: 'CPU above 70 % on search-2' } },
  { labels: { alertname: 'DiskIOHigh', service: 'db', instance: 'db-1', team: 'platform', severity: 'warning' }, annotations: { summary: 'Disk I/O above 80 % on db-1' } },
  { labels: { alertname: 'CertificateExpiry', service: 'edge', team: 'platform', severity: 'reminder' }, annotations: { summary: 'TLS certificate expires in 10 days' } },
  { labels: { alertname: 'NightlyBackupSlow', service: 'backup', team: 'platform', severity: 'info' }, annotations: { summary: 'Nightly backup took 2h 10m' } },
];

async function run() {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-screenshots-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...process.env, VIGIL_PORT: String(port), VIGIL_DB: path.join(dir, 'vigil.db'), VIGIL_API_TOKEN: 'screenshots-api-token', VIGIL_LOG_LEVEL: 'warn', VIGIL_LOG_FORMAT: 'json' };
  delete env.VIGIL_INGEST_TOKEN;
  const child = spawn(process.execPath, [main, 'serve'], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  let browser;
  try {
    await waitReady(url, child);
    const printed = execFileSync(process.execPath, [main, 'token', 'create', '--person', 'alice', '--label', 'screenshots'], { cwd: root, env, encoding: 'utf8' });
    const token = /(vigil_pat_\S+)/.exec(printed)?.[1];
    if (!token) throw new Error(`no token in: ${printed}`);
    for (const alert of seed) {
      const res = await fetch(`${url}/api/v1/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(webhook([alert])) });
      if (res.status !== 202) throw new Error(`seeding: ${res.status} ${await res.text()}`);
    }
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await fetch(`${url}/api/v1/incidents/2/acknowledge`, { method: 'POST', headers: auth, body: '{}' });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...flags] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: 'light', locale: 'en-GB', timezoneId: 'Europe/Berlin' });
    await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient')));
    const page = await context.newPage();
    await page.goto(`${url}/sign-in`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /HighErrorRate|Checkout API error rate/ }).waitFor();
    await page.screenshot({ path: path.join(docs, 'console-board.png') });

    const res = await fetch(`${url}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhook([{ labels: { alertname: 'InstanceDown', instance: 'api-3', job: 'api', service: 'api', team: 'platform', severity: 'critical' }, startsAt: ago(1) }])),
    });
    if (res.status !== 202) throw new Error(`posting the critical alert: ${res.status}`);
    await page.getByRole('alertdialog').waitFor();
    await page.screenshot({ path: path.join(docs, 'console-popup.png') });
    process.stdout.write('saved docs/console-board.png and docs/console-popup.png\n');
  } finally {
    await browser?.close();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

run().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
