import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startVigil, type TestVigil } from '../helpers/vigil.js';
import { waitFor } from '../helpers/wait.js';

/**
 * Socket timeouts are Node's, on the real clock: these tests use a short server.headersTimeout rather
 * than waiting for the default, and assert what happened to the connection, never how long it took.
 */
let v: TestVigil | undefined;
afterEach(async () => {
  await v?.close();
  v = undefined;
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Client {
  socket: net.Socket;
  received(): string;
  /** Resolves when the server has closed the connection. */
  ended: Promise<void>;
}

function connect(url: string): Promise<Client> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const ended = new Promise<void>((done) => socket.on('close', () => done()));
    socket.once('error', reject);
    socket.once('connect', () => resolve({ socket, received: () => received, ended }));
  });
}

describe('slow clients', () => {
  it('a client sending its headers byte by byte slower than server.headersTimeout is answered 408 and disconnected', async () => {
    v = await startVigil({ file: { server: { headersTimeout: '300ms' } } });
    const { socket, received, ended } = await connect(v.url);
    const head = `POST /api/v2/alerts HTTP/1.1\r\nHost: vigil\r\nContent-Type: application/json\r\nX-Padding: ${'a'.repeat(200)}\r\n\r\n`;
    let sent = 0;
    let closed = false;
    void ended.then(() => (closed = true));
    // One byte every 50 ms: the whole head would take over 13 s.
    while (!closed && sent < head.length) {
      socket.write(head[sent++]!);
      await sleep(50);
    }
    expect(closed).toBe(true);
    expect(sent).toBeLessThan(head.length);
    expect(received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('a keep-alive connection idle for longer than the header timeout still serves its next request', async () => {
    v = await startVigil({ file: { server: { headersTimeout: '300ms' } } });
    const { socket, received } = await connect(v.url);
    const request = 'GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n';
    const responses = () => received().match(/HTTP\/1\.1 200 /g)?.length ?? 0;
    socket.write(request);
    await waitFor(async () => responses() === 1, 5000, 'the first response');
    // Idle between requests: longer than the header timeout plus Node's check interval (1 s).
    await sleep(1800);
    expect(socket.destroyed).toBe(false);
    socket.write(request);
    await waitFor(async () => responses() === 2 || socket.destroyed, 5000, 'the second response');
    expect(responses()).toBe(2);
    socket.destroy();
  });
});
