import type pg from 'pg';
import type { IncidentChange, PeerTopic } from '../types.js';
import { pgDriver } from './pool.js';

/** The channel every Vigil instance on a database listens on. */
const CHANNEL = 'vigil';
/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; incident changes are split below this. */
const MAX_PAYLOAD = 7000;
/** A lost listening connection is opened again this often until it is back. */
const RECONNECT_MS = 2000;
/** The listening connection is checked this often: a connection dropped without a word would hear nothing. */
const CHECK_MS = 15_000;
/**
 * The advisory lock an older Vigil (one serving instance per database) held exclusively while it served.
 * Every instance of this version holds it shared on its listening connection: while an older one serves, this
 * one cannot take it (it would send the pages the older one sends, unclaimed), and an older one cannot start.
 */
const SERVE_LOCK = 0x76696773;

export class OlderVigilServesError extends Error {
  constructor() {
    super('an older Vigil, which serves a PostgreSQL database alone, is serving this one: stop it before starting this version');
    this.name = 'OlderVigilServesError';
  }
}

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
  /** Reconnected, but an older Vigil serves the database now: this instance must stop. */
  refused(err: Error): void;
  /** A handler threw on a peer's message (the message is dropped; the process goes on). */
  failed(err: unknown): void;
}

/** Every topic a peer may tell (a message naming another is dropped). */
const topics = ['suppression', 'approvals', 'heartbeats', 'oncall'] as const satisfies readonly PeerTopic[];

function isMessage(m: unknown): m is Message {
  if (typeof m !== 'object' || m === null || typeof (m as Message).from !== 'string') return false;
  const { i, t } = m as Message;
  if (i !== undefined && !(Array.isArray(i) && i.every((e) => Array.isArray(e) && typeof e[0] === 'number' && e.slice(1).every((k) => typeof k === 'string')))) return false;
  return t === undefined || (topics as readonly string[]).includes(t);
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

/** Sends one payload to every instance listening on the database (this one ignores its own). */
export async function sendToPeers(pool: pg.Pool, payload: string): Promise<void> {
  await pool.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
}

/**
 * One connection LISTENing for the other instances' notifications (LISTEN/NOTIFY). Its own messages are
 * ignored; a lost connection is reopened, and then handlers.resync says that some may have been missed.
 */
export class PeerChannel {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private check: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly self: string,
    private readonly handlers: PeerHandlers,
  ) {}

  /**
   * Resolves once the first connection holds the serve lock and listens (or could not connect: then it is
   * tried again in the background); rejects with OlderVigilServesError.
   */
  start(): Promise<void> {
    return this.connect(false);
  }

  private async connect(again: boolean): Promise<void> {
    if (this.closed) return;
    const client = new (pgDriver().Client)({ connectionString: this.url, application_name: 'vigil-listen', keepAlive: true, query_timeout: 10_000, connectionTimeoutMillis: 10_000 });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => this.receive(n.payload));
    let locked: boolean;
    try {
      await client.connect();
      locked = (await client.query('SELECT pg_try_advisory_lock_shared($1) AS locked', [SERVE_LOCK])).rows[0]?.locked === true;
      if (locked) await client.query(`LISTEN ${CHANNEL}`);
    } catch {
      this.lost(client);
      return;
    }
    if (!locked || this.closed) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
      if (this.closed) return;
      if (!again) throw new OlderVigilServesError();
      this.handlers.refused(new OlderVigilServesError());
      return;
    }
    this.client = client;
    this.check = setInterval(() => void client.query('SELECT 1').catch(() => this.lost(client)), CHECK_MS);
    this.check.unref();
    if (again) this.handlers.resync();
  }

  private lost(client: pg.Client): void {
    if (this.client === client) {
      this.client = null;
      if (this.check) clearInterval(this.check);
      this.check = null;
    }
    client.removeAllListeners('end');
    void client.end().catch(() => {});
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect(true);
    }, RECONNECT_MS);
    this.retry.unref();
  }

  /** Runs inside pg's socket handler: nothing here may throw, whatever was sent on the channel. */
  private receive(payload: string | undefined): void {
    let m: unknown;
    try {
      m = JSON.parse(payload ?? '');
    } catch {
      return; // not Vigil's
    }
    if (!isMessage(m) || m.from === this.self) return;
    try {
      if (m.i) this.handlers.incidents(m.i.map(([incidentId, ...kinds]) => ({ incidentId, kinds })));
      if (m.t) this.handlers.topic(m.t);
    } catch (err) {
      this.handlers.failed(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.check) clearInterval(this.check);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
