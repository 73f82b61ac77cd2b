import pg from 'pg';
import type { IncidentChange, PeerTopic } from '../types.js';

/** The channel every Vigil instance on a database listens on. */
const CHANNEL = 'vigil';
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; incident changes are split below this. */
const MAX_PAYLOAD = 7000;
/** A lost listening connection is opened again this often until it is back. */
const RECONNECT_MS = 2000;

/** What one instance tells the others: which incidents a commit changed, or a topic. */
interface Message {
  from: string;
  i?: [number, ...string[]][];
  t?: PeerTopic;
}

export interface PeerHandlers {
  incidents(changes: IncidentChange[]): void;
  topic(topic: PeerTopic): void;
  /** The connection was lost and is back: notifications may have been missed meanwhile. */
  resync(): void;
}

/** The payloads telling peers of a commit's incident changes: as few as fit, each under the size limit. */
export function incidentPayloads(from: string, changes: Map<number, Set<string>>): string[] {
  const payloads: string[] = [];
  let batch: [number, ...string[]][] = [];
  let size = 0;
  for (const [id, kinds] of changes) {
    const entry: [number, ...string[]] = [id, ...kinds];
    const length = JSON.stringify(entry).length + 1;
    if (batch.length > 0 && size + length > MAX_PAYLOAD) {
      payloads.push(JSON.stringify({ from, i: batch } satisfies Message));
      batch = [];
      size = 0;
    }
    batch.push(entry);
    size += length;
  }
  if (batch.length > 0) payloads.push(JSON.stringify({ from, i: batch } satisfies Message));
  return payloads;
}

export function topicPayload(from: string, topic: PeerTopic): string {
  return JSON.stringify({ from, t: topic } satisfies Message);
}

/** The statements sending payloads; run in the transaction, PostgreSQL delivers them at its commit. */
export function notifySql(client: pg.ClientBase, payloads: string[]): string {
  return payloads.map((p) => `SELECT pg_notify('${CHANNEL}', ${client.escapeLiteral(p)});`).join(' ');
}

/**
 * One connection LISTENing for the other instances' notifications (LISTEN/NOTIFY). Its own messages are
 * ignored; a lost connection is reopened, and then handlers.resync says that some may have been missed.
 */
export class PeerChannel {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly self: string,
    private readonly handlers: PeerHandlers,
  ) {}

  start(): void {
    void this.connect(false);
  }

  private async connect(again: boolean): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'vigil-listen', keepAlive: true });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => this.receive(n.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      this.lost(client);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    if (again) this.handlers.resync();
  }

  private lost(client: pg.Client): void {
    if (this.client === client) this.client = null;
    client.removeAllListeners('end');
    void client.end().catch(() => {});
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect(true);
    }, RECONNECT_MS);
    this.retry.unref();
  }

  private receive(payload: string | undefined): void {
    let m: Message;
    try {
      m = JSON.parse(payload ?? '') as Message;
    } catch {
      return; // not Vigil's
    }
    if (m.from === this.self) return;
    if (Array.isArray(m.i)) this.handlers.incidents(m.i.map(([incidentId, ...kinds]) => ({ incidentId, kinds })));
    if (m.t === 'suppression' || m.t === 'approvals') this.handlers.topic(m.t);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
