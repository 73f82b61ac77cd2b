import type { Alert } from '../alerts/alert.js';
import { conflict, notFound } from '../errors/errors.js';
import type { DecidedAlerts, IncidentNote } from '../incidents/engine-port.js';
import type { PingTap } from '../incidents/engine-options.js';
import type { Logger } from '../observe/logger.js';
import { lookup } from '../rules/evaluate.js';
import { matchesAll, type CompiledMatcher } from '../rules/matchers.js';
import type { HeartbeatRow, NewHeartbeat, Store, StoreTx } from '../store/types.js';
import type { Clock } from '../time/clock.js';
import { firingAlert, heartbeatLabels, resolvedAlert } from './alert.js';
import { hashKey, newKey } from './keys.js';
import { storedSpec, type FileHeartbeat, type HeartbeatSpec } from '../rules/heartbeat-spec.js';
import { onCheck, onPause, onPing, onRedefine, onRestart, onResume, type Change, type Ping } from './transitions.js';

export interface HeartbeatDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** One write that changes monitors and applies the alerts that implies (the incident engine's). */
  decide<T>(fn: (tx: StoreTx) => Promise<DecidedAlerts<T>>): Promise<T>;
}

/** The mark of the sweep's last run: at start-up, how long Vigil was away. */
const SWEEP_MARK = 'heartbeat-sweep';
/** The mark is written at most this often (a write a tick would cost more than it tells). */
const MARK_EVERY_MS = 10_000;
/** A start-up this long after the last sweep means Vigil was not running (not merely a slow tick). */
const AWAY_AFTER_MS = 60_000;
/** Monitors decided per sweep write; the next tick takes the rest. */
const SWEEP_CHUNK = 200;

const TIMELINE_OUTPUT = 2000;

/**
 * Heartbeat monitors: pings (HTTP, the secret key URL, alerts matching a monitor's matchers), the sweep that finds
 * them late and down, and the definitions from rules files and the API. Every change is one write with the
 * alert it implies, so a monitor and its incident never disagree, across a crash or between instances.
 */
export class HeartbeatMonitors implements PingTap {
  /** Monitors that alerts ping (their matchers), read again when definitions change. */
  private listening: { name: string; matchers: CompiledMatcher[] }[] = [];
  private firstSweep = true;
  private markWrittenAt = Number.NEGATIVE_INFINITY;
  /** The latest sync of the rules files' monitors, or re-read after another instance's change, settled (its failure is logged). */
  private synced: Promise<void> = Promise.resolve();

  constructor(private readonly deps: HeartbeatDeps) {
    // Another instance made, changed or deleted one through the API. The re-read joins the chain ingest waits
    // for (ready), so an alert arriving meanwhile is matched against the new definitions, not the old.
    deps.store.onPeerChange((topic) => {
      if (topic !== 'heartbeats') return;
      this.synced = this.synced.then(() => this.refresh()).catch((err: unknown) => deps.logger.warn({ err }, 'heartbeat monitors not read again'));
    });
  }

  /** Brings the rules files' monitors into the store (start-up and every reload); pings wait for it. */
  sync(defined: FileHeartbeat[]): Promise<void> {
    const run = this.synced.then(() => this.syncNow(defined));
    this.synced = run.catch((err: unknown) => this.deps.logger.error({ err }, 'heartbeat monitors from the rules files not stored'));
    return run;
  }

  private async syncNow(defined: FileHeartbeat[]): Promise<void> {
    await this.deps.store.opened();
    const now = this.deps.clock.now();
    const byName = new Map(defined.map((d) => [d.spec.name, d]));
    const existing = await this.deps.store.listHeartbeats();
    await this.deps.decide(async (tx) => {
      const out: DecidedAlerts<void> = { value: undefined, alerts: [] };
      for (const d of defined) {
        const row = await tx.heartbeat(d.spec.name);
        if (!row) {
          await tx.insertHeartbeat(newHeartbeat(d.spec.name, 'file', d.file, d.written, now));
          continue;
        }
        if (row.origin === 'file' && row.file === d.file && same(row.spec, d.written)) continue;
        if (row.origin === 'api') this.deps.logger.warn({ heartbeat: d.spec.name, file: d.file }, 'a rules file now defines the heartbeat made through the API; the file wins');
        await this.apply(tx, row, d.spec, { ...onRedefine(row, d.spec, now), extra: { origin: 'file', file: d.file, spec: d.written } }, now, out);
      }
      for (const gone of existing.filter((r) => r.origin === 'file' && !byName.has(r.name))) {
        const row = await tx.heartbeat(gone.name);
        if (row) await this.remove(tx, row, 'the rules files no longer define it', now, out);
      }
      return out;
    });
    await this.refresh();
  }

  /** Resolves once the rules files' monitors are stored and known (PingTap). */
  ready(): Promise<void> {
    return this.synced;
  }

  /** Reads which monitors alerts ping. */
  async refresh(): Promise<void> {
    const rows = await this.deps.store.listHeartbeats();
    const listening: typeof this.listening = [];
    for (const row of rows) {
      const spec = this.parse(row);
      if (spec && spec.matchers.length > 0) listening.push({ name: row.name, matchers: spec.matchers });
    }
    this.listening = listening;
  }

  // ---- pings

  /** A ping by name (the ingest token was checked); null when no monitor has this name. */
  async ping(name: string, ping: Ping): Promise<HeartbeatRow | null> {
    await this.synced;
    return this.deps.decide(async (tx) => {
      const out: DecidedAlerts<HeartbeatRow | null> = { value: null, alerts: [] };
      const row = await tx.heartbeat(name);
      const spec = row && this.parse(row);
      if (!row || !spec) return out;
      out.value = await this.apply(tx, row, spec, onPing(row, spec, ping), ping.at, out, ping.output);
      return out;
    });
  }

  /** A ping by the monitor's secret key (no header); null when no monitor has this key. */
  async pingByKey(key: string, ping: Omit<Ping, 'via'>): Promise<HeartbeatRow | null> {
    const row = await this.deps.store.heartbeatByKeyHash(hashKey(key));
    return row ? this.ping(row.name, { ...ping, via: 'ping URL' }) : null;
  }

  /** PingTap: delivered alerts matching a monitor's matchers are its pings, recorded in the ingest write. */
  async take(tx: StoreTx, alerts: Alert[]): Promise<{ taken: boolean[]; follow: DecidedAlerts<unknown> } | null> {
    if (this.listening.length === 0) return null;
    let taken: boolean[] | null = null;
    const pinged = new Map<string, { at: number; alertname: string }>();
    alerts.forEach((alert, i) => {
      const get = lookup(alert);
      for (const l of this.listening) {
        if (!matchesAll(l.matchers, get)) continue;
        (taken ??= alerts.map(() => false))[i] = true;
        // A resolved delivery says the alert stopped, which is no sign of life.
        if (alert.status === 'firing') pinged.set(l.name, { at: alert.receivedAt, alertname: alert.labels.alertname ?? 'alert' });
      }
    });
    if (!taken) return null;
    const follow: DecidedAlerts<unknown> = { value: undefined, alerts: [] };
    for (const [name, p] of pinged) {
      const row = await tx.heartbeat(name);
      const spec = row && this.parse(row);
      if (!row || !spec) continue;
      const ping: Ping = { kind: 'success', at: p.at, exitCode: null, output: null, via: `alert ${p.alertname}` };
      await this.apply(tx, row, spec, onPing(row, spec, ping), p.at, follow);
    }
    return { taken, follow };
  }

  // ---- the sweep

  /** Monitors whose check is due: late, then down (the incident opens). Returns how many changed. */
  async sweep(): Promise<number> {
    await this.synced;
    const now = this.deps.clock.now();
    if (this.firstSweep) {
      await this.afterStartUp(now);
      this.firstSweep = false;
    }
    const due = await this.deps.store.dueHeartbeats(now, SWEEP_CHUNK);
    // The chunk in one write: one commit however many monitors are due together.
    const changed =
      due.length === 0
        ? 0
        : await this.deps.decide(async (tx) => {
            const out: DecidedAlerts<number> = { value: 0, alerts: [] };
            for (const name of due) {
              const row = await tx.heartbeat(name);
              const spec = row && this.parse(row);
              if (!row || !spec) continue;
              const change = onCheck(row, spec, now);
              await this.apply(tx, row, spec, change, now, out);
              if (change.patch.state !== undefined && change.patch.state !== row.state) out.value++;
            }
            return out;
          });
    if (now - this.markWrittenAt >= MARK_EVERY_MS) {
      await this.deps.store.write((tx) => tx.setMark(SWEEP_MARK, now));
      this.markWrittenAt = now;
    }
    return changed;
  }

  /** When the next check is due (the scheduler wakes then). */
  nextDueAt(): Promise<number | null> {
    return this.deps.store.nextHeartbeatCheckAt();
  }

  /**
   * The first sweep of this process: when Vigil was away (no sweep anywhere for a while), every deadline that
   * passed meanwhile gets its grace again from now, said on the incident if it comes to one.
   */
  private async afterStartUp(now: number): Promise<void> {
    const rows = await this.deps.store.listHeartbeats();
    await this.deps.store.write(async (tx) => {
      const last = await tx.markedAt(SWEEP_MARK);
      if (last === null || now - last < AWAY_AFTER_MS) return;
      let restarted = 0;
      for (const r of rows) {
        if (r.checkAt === null || r.checkAt <= last || r.checkAt > now) continue;
        const row = await tx.heartbeat(r.name);
        const spec = row && this.parse(row);
        if (!row || !spec) continue;
        const change = onRestart(row, spec, last, now);
        if (Object.keys(change.patch).length === 0) continue;
        await tx.updateHeartbeat(row.id, { ...change.patch, updatedAt: now });
        restarted++;
      }
      if (restarted > 0) this.deps.logger.warn({ restarted, awaySeconds: Math.round((now - last) / 1000) }, 'heartbeats due while Vigil was not running get their grace again');
    });
  }

  // ---- definitions through the API

  /** A monitor made at run time; its secret ping key is returned this once. */
  async create(spec: HeartbeatSpec, written: Record<string, unknown>): Promise<{ row: HeartbeatRow; key: string }> {
    await this.synced;
    const key = newKey();
    const now = this.deps.clock.now();
    const row = await this.deps.store.write(async (tx) => {
      if (await tx.heartbeat(spec.name)) throw conflict(`a heartbeat monitor named "${spec.name}" already exists`);
      const fresh = { ...newHeartbeat(spec.name, 'api', null, written, now), keyHash: hashKey(key) };
      return { ...fresh, id: await tx.insertHeartbeat(fresh) };
    });
    await this.changed();
    return { row, key };
  }

  /** Deletes a monitor made through the API (a rules file's goes with its file); its incident resolves. */
  async delete(name: string, by: string): Promise<void> {
    await this.synced;
    const now = this.deps.clock.now();
    await this.deps.decide(async (tx) => {
      const out: DecidedAlerts<void> = { value: undefined, alerts: [] };
      const row = await this.existing(tx, name);
      if (row.origin === 'file') throw conflict(`heartbeat "${name}" is defined in ${row.file ?? 'a rules file'}: remove it there`);
      await this.remove(tx, row, `deleted by ${by}`, now, out);
      return out;
    });
    await this.changed();
  }

  pause(name: string, by: string): Promise<HeartbeatRow> {
    return this.change(name, (row, spec, now) => onPause(row, spec, now, by));
  }

  resume(name: string): Promise<HeartbeatRow> {
    return this.change(name, (row, spec, now) => onResume(row, spec, now));
  }

  /** A new secret ping key (the old one stops working); returned this once. */
  async rotateKey(name: string): Promise<string> {
    await this.synced;
    const key = newKey();
    const now = this.deps.clock.now();
    await this.deps.store.write(async (tx) => {
      const row = await this.existing(tx, name);
      await tx.updateHeartbeat(row.id, { keyHash: hashKey(key), updatedAt: now });
    });
    return key;
  }

  private async change(name: string, decide: (row: HeartbeatRow, spec: HeartbeatSpec, now: number) => Change): Promise<HeartbeatRow> {
    await this.synced;
    const now = this.deps.clock.now();
    return this.deps.decide(async (tx) => {
      const row = await this.existing(tx, name);
      const spec = this.parse(row);
      if (!spec) throw conflict(`heartbeat "${name}" has a definition this Vigil cannot read`);
      const out: DecidedAlerts<HeartbeatRow> = { value: row, alerts: [] };
      out.value = await this.apply(tx, row, spec, decide(row, spec, now), now, out);
      return out;
    });
  }

  private async existing(tx: StoreTx, name: string): Promise<HeartbeatRow> {
    const row = await tx.heartbeat(name);
    if (!row) throw notFound(`no heartbeat monitor named "${name}"`);
    return row;
  }

  /** Tells this instance's matchers and the other instances' that a definition changed. */
  private async changed(): Promise<void> {
    await this.refresh();
    await this.deps.store.tellPeers('heartbeats').catch((err: unknown) => this.deps.logger.warn({ err }, 'other instances not told of the heartbeat change'));
  }

  // ---- one change, written with the alert it implies

  private async apply<T>(
    tx: StoreTx,
    row: HeartbeatRow,
    spec: HeartbeatSpec,
    change: Change & { extra?: Partial<NewHeartbeat> },
    now: number,
    out: DecidedAlerts<T>,
    output: string | null = null,
  ): Promise<HeartbeatRow> {
    const patch: Partial<NewHeartbeat> = { ...change.patch, ...change.extra };
    const effect = change.effect;
    if (effect && 'fire' in effect) {
      const labels = heartbeatLabels(spec);
      patch.firedLabels = labels;
      const shown = output ?? row.lastOutput;
      const notes: IncidentNote[] = [
        {
          kind: 'heartbeat_down',
          message: shown ? `${effect.fire.details}\nLast output:\n${shown.slice(0, TIMELINE_OUTPUT)}` : effect.fire.details,
          data: { heartbeat: spec.name, lastPingAt: row.lastPingAt === null ? null : new Date(row.lastPingAt).toISOString() },
        },
      ];
      out.alerts.push({ alert: firingAlert(spec, labels, effect.fire, patch.downSince ?? now, shown, now), notes });
    } else if (effect && 'resolve' in effect) {
      const labels = row.firedLabels ?? heartbeatLabels(spec);
      out.alerts.push({
        alert: resolvedAlert(labels, now),
        notes: [{ kind: 'heartbeat_up', message: effect.resolve.message, data: { heartbeat: spec.name, downForSeconds: Math.round(effect.resolve.downForMs / 1000) } }],
      });
    }
    if (Object.keys(patch).length > 0) await tx.updateHeartbeat(row.id, { ...patch, updatedAt: now });
    return { ...row, ...patch, updatedAt: now };
  }

  /** Deletes a monitor; if it was down, its alert resolves with the reason on the incident. */
  private async remove<T>(tx: StoreTx, row: HeartbeatRow, why: string, now: number, out: DecidedAlerts<T>): Promise<void> {
    if (row.state === 'down' && row.firedLabels) {
      out.alerts.push({
        alert: resolvedAlert(row.firedLabels, now),
        notes: [{ kind: 'heartbeat_up', message: `Heartbeat ${row.name} removed (${why}); its incident resolves`, data: { heartbeat: row.name } }],
      });
    }
    await tx.deleteHeartbeat(row.id);
  }

  private parse(row: HeartbeatRow): HeartbeatSpec | null {
    try {
      return storedSpec(row.spec);
    } catch (err) {
      this.deps.logger.error({ err, heartbeat: row.name }, 'heartbeat definition in the store cannot be read');
      return null;
    }
  }
}

/** A monitor as it is first stored: new, never pinged, nothing due. */
export function newHeartbeat(name: string, origin: 'file' | 'api', file: string | null, written: Record<string, unknown>, now: number): NewHeartbeat {
  return {
    name,
    origin,
    file,
    spec: written,
    keyHash: null,
    paused: false,
    state: 'new',
    lastPingAt: null,
    lastPingKind: null,
    lastExitCode: null,
    lastOutput: null,
    startedAt: null,
    dueAt: null,
    checkAt: null,
    lateSince: null,
    downSince: null,
    firedLabels: null,
    note: null,
    createdAt: now,
    updatedAt: now,
  };
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
