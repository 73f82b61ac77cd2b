import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { unavailable } from '../../errors/errors.js';
import { Readiness } from '../../errors/ready-within.js';
import { ReadsOf, type StoreReads } from '../reads-of.js';
import type { IncidentChange, PeerTopic, Store, StoreTx } from '../types.js';
import { accessReads, accessTx } from './access.js';
import { alertReads, alertTx } from './alerts.js';
import { digestTx, reviewReads } from './digests.js';
import { heartbeatReads, heartbeatTx } from './heartbeats.js';
import { oncallOverrideReads, oncallOverrideTx } from './oncall-overrides.js';
import { classifyFault, isTransientStoreError } from './faults.js';
import { addChanges, PostgresGroupCommit } from './group-commit.js';
import { inboundTx } from './inbound.js';
import { incidentReads, incidentTx } from './incidents.js';
import { DeferredRefreshes } from './deferred-refreshes.js';
import { deferredAlertInserts, deferredEvents } from './deferred-inserts.js';
import { DeferredTimelineRevisions } from './deferred-revisions.js';
import { LEASE_RELEASE, type Lease } from './lease.js';
import { outboxReads, outboxTx } from './outbox.js';
import { incidentPayloads, PeerChannel, sendToPeers, topicPayload } from './peer-channel.js';
import { createPool, queryOn, type Query } from './pool.js';
import { reportReads } from './report-reads.js';
import { runbookReads, runbookTx } from './runbook-runs.js';
import { checkSchema, migrate } from './schema.js';
import { silenceReads, silenceTx } from './silences.js';
import { timelineReads, timelineTx } from './timeline.js';
import { timerReads, timerTx } from './timers.js';

export interface PostgresStoreOptions {
  url: string;
  poolSize: number;
  /** Writes in flight at the most before ingest answers 503. */
  maxPendingWrites: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  /** false: check that the schema is this code's instead of migrating (readers, reports). */
  migrate?: boolean;
  /** A serving instance: waits for an unreachable server at start-up, listens to its peers, renews its leases. */
  serving?: boolean;
  /** How long a claim (an outbox message, a timer, a runbook run) holds before another instance may take it over. */
  leaseMs?: number;
  onCommit?: (seconds: number, writes: number) => void;
  onEffectError?: (err: unknown) => void;
  /** The store can no longer serve (an older Vigil took the database while this one was away from it). */
  onFatal?: (err: Error) => void;
}

/** How long an operation waits for the start-up before it answers 503. */
const READY_WAIT_MS = 2000;
/** While the server cannot be reached at start-up, it is tried again this often. */
const START_RETRY_MS = 2000;
/** The advisory-lock key space of once-per-cluster jobs ("vigj"); the second key is the job name's hash. */
const JOB_LOCKS = 0x7669676a;
const DEFAULT_LEASE_MS = 30_000;
/** Incident changes are told to the peers this long after the first commit that made them, together. */
const TELL_PEERS_MS = 50;

const guarded = new WeakSet<pg.PoolClient>();

/**
 * A connection lost while checked out is reported by its client as an 'error' event, which would end the
 * process without a listener; the statement in progress fails on its own and the client is discarded.
 */
export function guardClient(client: pg.PoolClient): void {
  if (guarded.has(client)) return;
  guarded.add(client);
  client.on('error', () => {});
}


/**
 * The Store port on PostgreSQL: each write is one transaction on a pooled connection, committed before it
 * resolves; reads use the pool. Several equal Vigil instances share the database: due rows are claimed under
 * leases in the database's clock (lease.ts), rows a write decides from are locked, once-per-cluster jobs run
 * under advisory locks, and instances tell each other of changes with NOTIFY (peer-channel.ts). The schema
 * is migrated at start-up (schema.ts); every operation waits for that.
 */
export class PostgresStore extends ReadsOf implements Store {
  private readonly pool: pg.Pool;
  private readonly ready: Readiness;
  protected readonly reads: StoreReads;
  private readonly changeListeners = new Set<(changes: IncidentChange[]) => void>();
  private closed = false;
  private readonly lease: Lease;
  private readonly peers: PeerChannel | null;
  private readonly peerListeners = new Set<(topic: PeerTopic) => void>();
  private renewal: NodeJS.Timeout | null = null;
  private readonly commits: PostgresGroupCommit;
  /** Incident changes of the commits of the last moment, not yet told to the peers. */
  private untold = new Map<number, Set<string>>();
  private telling: NodeJS.Timeout | null = null;

  constructor(private readonly options: PostgresStoreOptions) {
    super();
    this.lease = { owner: randomUUID(), ms: options.leaseMs ?? DEFAULT_LEASE_MS };
    this.peers = options.serving
      ? new PeerChannel(options.url, this.lease.owner, {
          incidents: (changes) => this.tellListeners(changes),
          topic: (topic) => this.tellPeerListeners(topic),
          resync: () => {
            for (const topic of ['suppression', 'approvals', 'heartbeats', 'oncall'] as const) this.tellPeerListeners(topic);
          },
          refused: (err) => options.onFatal?.(err),
          failed: (err) => options.onEffectError?.(err),
        })
      : null;
    this.pool = createPool({ url: options.url, size: options.poolSize, connectTimeoutMs: options.connectTimeoutMs, statementTimeoutMs: options.statementTimeoutMs });
    // A failed start-up is reported by opened() and by every operation (Readiness keeps it from going unhandled).
    this.ready = new Readiness(this.start());
    this.commits = new PostgresGroupCommit({
      connect: async () => {
        const client = await this.pool.connect();
        guardClient(client);
        return client;
      },
      txOn: (q, effects, changed) => this.txOn(q, effects, changed),
      whenReady: () => this.whenReady(),
      maxPendingWrites: options.maxPendingWrites,
      ...(options.onCommit ? { onCommit: options.onCommit } : {}),
      publish: (changed) => this.publish(changed),
      guarded: (effect) => this.guarded(effect),
    });
    const q = queryOn(this.pool);
    const read: Query = async (sql, params) => {
      if (this.closed) throw unavailable('store is closed', 5);
      await this.whenReady();
      try {
        return await q(sql, params);
      } catch (err) {
        throw classifyFault(err);
      }
    };
    this.reads = {
      ...alertReads(read),
      ...incidentReads(read),
      ...timelineReads(read),
      ...outboxReads(read),
      ...silenceReads(read),
      ...runbookReads(read, this.lease),
      ...accessReads(read),
      ...reportReads(read),
      ...reviewReads(read),
      ...timerReads(read, this.lease),
      ...heartbeatReads(read),
      ...oncallOverrideReads(read),
    };
  }

  /**
   * Migrates (or checks) the schema; a serving instance then listens to its peers and renews its leases.
   * While the server cannot be reached this keeps trying (operations wait, or answer 503 after their
   * timeout); a schema newer than the code is final.
   */
  private async start(): Promise<void> {
    // Before the schema is touched: an older Vigil serving the database alone refuses this one.
    if (this.options.serving) await this.peers?.start();
    for (;;) {
      try {
        if (this.options.migrate === false) await checkSchema(this.pool);
        else await migrate(this.pool);
        break;
      } catch (err) {
        // Only a serving instance waits for the server; a command (a report) says it is not there.
        if (!isTransientStoreError(err) || this.closed || !this.options.serving) throw isTransientStoreError(err) ? classifyFault(err) : err;
        await new Promise((r) => setTimeout(r, START_RETRY_MS));
      }
    }
    if (!this.options.serving || this.closed) return;
    this.renewal = setInterval(() => void this.renewLeases(), Math.max(50, Math.floor(this.lease.ms / 3)));
    this.renewal.unref();
  }

  /**
   * What this instance holds stays its own while it lives: a runbook run for as long as its steps take, an
   * outbox message however long its send waits (a slow provider, a queue of sends). Only an instance that
   * stopped renewing (it died, or lost the database for longer than the lease) has its work taken over. A
   * renewal missed while the database is away is made at the next one.
   */
  private async renewLeases(): Promise<void> {
    if (this.closed) return;
    const args = [this.lease.owner, this.lease.ms];
    const until = `lease_until = now() + $2 * interval '1 millisecond'`;
    await this.pool.query(`UPDATE runbook_runs SET ${until} WHERE lease_owner = $1 AND status = 'running'`, args).catch(() => {});
    await this.pool.query(`UPDATE notifications SET ${until} WHERE lease_owner = $1 AND status = 'pending'`, args).catch(() => {});
    await this.pool.query(`UPDATE incident_timers SET ${until} WHERE lease_owner = $1`, args).catch(() => {});
  }

  /** At a clean stop what this instance still holds is given back, so a peer need not wait for the leases. */
  private async releaseLeases(): Promise<void> {
    const owner = [this.lease.owner];
    await this.pool.query(`UPDATE notifications SET ${LEASE_RELEASE} WHERE lease_owner = $1`, owner).catch(() => {});
    await this.pool.query(`UPDATE incident_timers SET ${LEASE_RELEASE} WHERE lease_owner = $1`, owner).catch(() => {});
    // A run still marked running at a stop was cut short: with its lease gone, a peer records it interrupted.
    await this.pool.query(`UPDATE runbook_runs SET lease_until = NULL WHERE lease_owner = $1 AND status = 'running'`, owner).catch(() => {});
  }

  /** Operations wait a little for the start-up; while the database cannot be reached they answer 503. */
  private whenReady(): Promise<void> {
    return this.ready.within(READY_WAIT_MS, 'the database is not reachable yet; retry shortly');
  }

  /** Resolves once the schema is migrated (or checked); rejects with why the store cannot serve. */
  opened(): Promise<void> {
    return this.ready.settled;
  }

  /**
   * Writes of this instance are group-committed, as on SQLite (group-commit.ts). Writes of different instances
   * run concurrently: what a write decides from is locked as it is read (FOR UPDATE), unique keys catch two
   * instances inserting the same thing, and a write that collides is run again (isConflictRetry).
   */
  write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(unavailable('store is shutting down', 5));
    return this.commits.write(fn);
  }

  private txOn(raw: Query, effects: (() => void)[], changes: Map<number, Set<string>>): { tx: StoreTx; settle(): Promise<void> } {
    const changed = (incidentId: number, kind?: string) => {
      let kinds = changes.get(incidentId);
      if (!kinds) changes.set(incidentId, (kinds = new Set()));
      if (kind) kinds.add(kind);
    };
    // Deferred new alerts, timeline events, lifetime refreshes and event revisions go out before the write's next statement,
    // whichever repository sends it (the new alerts first: a refresh never names one, but a read may).
    const inserts = deferredAlertInserts(raw);
    const events = deferredEvents(raw);
    const refreshes = new DeferredRefreshes(raw);
    const revisions = new DeferredTimelineRevisions(raw);
    const deferred = async () => {
      await inserts.flush();
      await events.flush();
      await refreshes.flush();
      await revisions.flush();
    };
    const q: Query = async (sql, params) => {
      await deferred();
      return raw(sql, params);
    };
    const tx: StoreTx = {
      ...alertTx(q, refreshes, inserts),
      ...incidentTx(q, changed),
      ...timelineTx(q, changed, revisions, events),
      ...outboxTx(q, this.lease),
      ...timerTx(q, this.lease),
      ...silenceTx(q),
      ...runbookTx(q, this.lease),
      ...accessTx(q),
      ...digestTx(q),
      ...inboundTx(q),
      ...heartbeatTx(q),
      ...oncallOverrideTx(q),
      afterCommit: (fn) => effects.push(fn),
    };
    return { tx, settle: deferred };
  }

  onIncidentChanges(listener: (changes: IncidentChange[]) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  pendingWrites(): number {
    return this.commits.pending();
  }

  async tellPeers(topic: PeerTopic): Promise<void> {
    if (!this.peers || this.closed) return;
    await this.whenReady();
    try {
      await sendToPeers(this.pool, topicPayload(this.lease.owner, topic));
    } catch (err) {
      throw classifyFault(err);
    }
  }

  onPeerChange(listener: (topic: PeerTopic) => void): () => void {
    this.peerListeners.add(listener);
    return () => this.peerListeners.delete(listener);
  }

  /** Under a session advisory lock held for the job's run: the server frees it if this instance dies. */
  async runAlone<T>(job: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.closed) throw unavailable('store is closed', 5);
    await this.whenReady();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw classifyFault(err);
    }
    guardClient(client);
    let broken: Error | undefined;
    try {
      const [row] = (await client.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [JOB_LOCKS, job])).rows as { locked: boolean }[];
      if (!row?.locked) return undefined;
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [JOB_LOCKS, job]).catch((err: Error) => (broken = err));
      }
    } catch (err) {
      if (isTransientStoreError(err)) {
        broken = err as Error;
        throw classifyFault(err);
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw unavailable('store is closed', 5);
    await this.whenReady();
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw classifyFault(err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.commits.close();
    const started = await this.ready.settled.then(
      () => true,
      () => false,
    );
    if (this.renewal) clearInterval(this.renewal);
    if (this.telling) clearTimeout(this.telling);
    await this.peers?.close();
    if (started && this.options.serving) await this.releaseLeases();
    await this.pool.end();
  }

  private publish(changes: Map<number, Set<string>>): void {
    if (changes.size === 0) return;
    this.tellListeners([...changes].map(([incidentId, kinds]) => ({ incidentId, kinds: [...kinds] })));
    if (this.peers) this.tellPeersOfIncidents(changes);
  }

  /**
   * The peers hear of changed incidents (their consoles' live streams) a moment after the commits, in one
   * NOTIFY for all of them: a NOTIFY inside each write would serialize the commits on the server's
   * notification queue. Only the live streams depend on it, and they are told again by the next change
   * (a crash in between leaves a console a change behind until it reloads).
   */
  private tellPeersOfIncidents(changes: Map<number, Set<string>>): void {
    addChanges(this.untold, changes);
    this.telling ??= setTimeout(() => {
      this.telling = null;
      const untold = this.untold;
      this.untold = new Map();
      void (async () => {
        for (const payload of incidentPayloads(this.lease.owner, untold)) await sendToPeers(this.pool, payload);
      })().catch((err: unknown) => this.options.onEffectError?.(err));
    }, TELL_PEERS_MS);
  }

  private tellListeners(list: IncidentChange[]): void {
    for (const listener of this.changeListeners) this.guarded(() => listener(list));
  }

  private tellPeerListeners(topic: PeerTopic): void {
    for (const listener of this.peerListeners) this.guarded(() => listener(topic));
  }

  private guarded(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.onEffectError?.(err);
    }
  }
}
