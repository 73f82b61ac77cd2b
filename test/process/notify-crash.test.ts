import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/notify/channels/webhook.js';
import { dropProcessDatabases, freePort, processDatabase, spawnVigil, writeWebhookSetup, type RunningVigil } from '../helpers/process.js';
import { amWebhook, tempDir } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

const SECRET = 's3cret';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const dirs: string[] = [];
const running: RunningVigil[] = [];
const servers: Server[] = [];
afterAll(async () => {
  for (const r of running) await r.stop('SIGKILL');
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await dropProcessDatabases();
});

/** A config and rules dir in which critical incidents page the on-call role by webhook only. */
function writeSetup(dir: string, receiverPort: number): string {
  return writeWebhookSetup(dir, {
    scheduler: { interval: '200ms' },
    // PostgreSQL: the message the dead process had claimed is sent again once its claim runs out.
    store: { lease: '2s' },
    notify: {
      webhook: { url: `http://127.0.0.1:${receiverPort}/hook`, secret: SECRET, timeout: '2s' },
      retry: { attempts: 5, initialDelay: '200ms', maxDelay: '1s' },
    },
  });
}

describe('webhook delivery across a crash', () => {
  it("a page is never lost; a crash between the provider's acceptance and Vigil's record sends it again with the same Idempotency-Key", async () => {
    const dir = tempDir();
    dirs.push(dir);

    const received: Received[] = [];
    let victim: RunningVigil | null = null;
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        if (received.length === 1 && victim) {
          // The provider has the message; Vigil dies before it hears so and before it records anything.
          victim.child.kill('SIGKILL');
          victim.child.once('exit', () => res.destroy());
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req-${received.length}` });
        res.end('{}');
      });
    });
    servers.push(receiver);
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
    const receiverPort = (receiver.address() as { port: number }).port;

    const env = { VIGIL_CONFIG: writeSetup(dir, receiverPort), VIGIL_DB: await processDatabase(dir) };
    victim = await spawnVigil(env, await freePort());
    running.push(victim);
    const victimExited = new Promise<void>((resolve) => {
      if (victim!.child.exitCode !== null || victim!.child.signalCode !== null) resolve();
      else victim!.child.once('exit', () => resolve());
    });

    const res = await fetch(`${victim.url}/api/v1/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(amWebhook([{ labels: { alertname: 'CheckoutDown', service: 'checkout', severity: 'critical' } }])),
    });
    expect(res.status).toBe(202);

    await waitFor(async () => received.length >= 1, 15_000, 'the first webhook request');
    await victimExited;
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(received).toHaveLength(1);

    const restarted = await spawnVigil(env, await freePort());
    running.push(restarted);
    await waitFor(async () => received.length >= 2, 15_000, 'the webhook to be sent again after the restart');

    const [first, second] = received as [Received, Received];
    expect(first.headers['idempotency-key']).toBeTruthy();
    expect(second.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
    const firstBody = JSON.parse(first.body);
    const secondBody = JSON.parse(second.body);
    expect(firstBody.incident.id).toBe(1);
    expect(secondBody.incident.id).toBe(firstBody.incident.id);
    expect(secondBody.idempotencyKey).toBe(first.headers['idempotency-key']);
    for (const r of [first, second]) {
      const timestamp = r.headers['x-vigil-timestamp'] as string;
      expect(timestamp).toMatch(/^\d+$/);
      expect(r.headers['x-vigil-signature']).toBe(`sha256=${signWebhook(SECRET, timestamp, r.body)}`);
    }

    const webhook = await waitFor(
      async () => {
        const list = await (await fetch(`${restarted.url}/api/v1/notifications?incident=1`)).json();
        const n = list.notifications.find((x: { channel: string }) => x.channel === 'webhook');
        return n?.status === 'delivered' ? n : undefined;
      },
      10_000,
      'the webhook message to be recorded as delivered',
    );
    expect(webhook).toMatchObject({ kind: 'page', status: 'delivered', mode: 'live', recipient: { name: 'webhook' } });
    expect(webhook.attempts).toBeGreaterThanOrEqual(1);
    // Delivered once after the restart and then left alone: the receiver sees no third copy.
    await new Promise((r) => setTimeout(r, 600));
    expect(received).toHaveLength(2);
  });
});
