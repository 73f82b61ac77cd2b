import type { AddressInfo } from 'node:net';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** How often connections are checked against the header and request timeouts (Node's default is 30 s). */
const CONNECTIONS_CHECK_MS = 1000;

/**
 * Listens and resolves to the bound port; close() stops accepting and waits for in-flight requests.
 * A connection must finish its request headers within `headersTimeoutMs` of connecting or of starting a
 * request (slow-header clients are answered 408 and closed within a second of that); idle keep-alive
 * connections between requests are not affected and last `keepAliveTimeout`.
 */
export function listen(
  app: RequestListener,
  port: number,
  host: string,
  opts: { headersTimeoutMs: number } = { headersTimeoutMs: 10_000 },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer(
    { headersTimeout: opts.headersTimeoutMs, requestTimeout: 30_000, connectionsCheckingInterval: CONNECTIONS_CHECK_MS },
    app,
  );
  // Senders keep connections open between batches; keep-alive must outlast their idle timeouts.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
