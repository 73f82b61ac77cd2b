import type { HeartbeatRow, NewHeartbeat } from '../store/types.js';
import { formatDuration, roughDuration } from '../time/duration.js';
import { nextDue } from './schedule.js';
import type { HeartbeatSpec } from '../rules/heartbeat-spec.js';

/** What a ping reports: a run succeeded, began, or failed (an exit code other than 0 is a failure). */
export type PingKind = 'success' | 'start' | 'fail';

export interface Ping {
  kind: PingKind;
  at: number;
  exitCode: number | null;
  /** The body sent with it (the run's output), already cut to size. */
  output: string | null;
  /** Where it came from, for the timeline: "ping", "ping key", "alert Watchdog". */
  via: string;
}

/** What the monitor's incident should do: open (its alert fires) or close (its alert resolves). */
export type Effect =
  | { fire: { title: string; details: string } }
  | { resolve: { message: string; downForMs: number } }
  | null;

export interface Change {
  patch: Partial<NewHeartbeat>;
  effect: Effect;
}

/** How long a monitor was down, to the second. */
const downFor = (ms: number) => (ms < 1000 ? 'less than a second' : formatDuration(Math.round(ms / 1000) * 1000));

const none = (patch: Partial<NewHeartbeat> = {}): Change => ({ patch, effect: null });
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The state machine of one monitor, pure (times are given). new → up on the first success; up → late when a
 * success is due and none came (or a run started and did not finish within the grace); late → down after the
 * grace (the incident opens); down → up on the next success (the incident resolves). A failure is down at once.
 * Paused monitors record pings and decide nothing.
 */
export function onPing(row: HeartbeatRow, spec: HeartbeatSpec, ping: Ping): Change {
  const at = ping.at;
  if (ping.kind === 'start') {
    if (row.paused || row.state === 'down') return none({ startedAt: at });
    return none({ startedAt: at, checkAt: Math.min(row.checkAt ?? Infinity, at + spec.grace) });
  }
  const recorded: Partial<NewHeartbeat> = { lastPingAt: at, lastPingKind: ping.kind, lastExitCode: ping.exitCode, lastOutput: ping.output, startedAt: null };
  if (ping.kind === 'success') {
    const dueAt = nextDue(spec, at);
    const up: Partial<NewHeartbeat> = { ...recorded, state: 'up', dueAt, checkAt: row.paused ? null : dueAt, lateSince: null, downSince: null, note: null };
    if (row.state !== 'down') return none(up);
    const downForMs = at - (row.downSince ?? at);
    return {
      patch: { ...up, firedLabels: null },
      effect: { resolve: { downForMs, message: `Heartbeat ${spec.name} is up again (${ping.via}) after ${downFor(downForMs)} down` } },
    };
  }
  // A failure
  if (row.paused || row.state === 'down') return none(recorded);
  const code = ping.exitCode !== null ? ` (exit code ${ping.exitCode})` : '';
  return {
    patch: { ...recorded, state: 'down', downSince: at, lateSince: null, checkAt: null, note: null },
    effect: {
      fire: {
        title: spec.title ?? `Heartbeat ${spec.name} failed${code}`,
        details: withNote(`${spec.name} reported a failure${code} at ${iso(at)} (${ping.via}).`, row.note),
      },
    },
  };
}

/** The late deadline of a monitor that is up (or new with a run started): a success due, or a run's grace over. */
function lateDeadline(row: HeartbeatRow, spec: HeartbeatSpec): number {
  return Math.min(row.dueAt ?? Infinity, row.startedAt !== null ? row.startedAt + spec.grace : Infinity);
}

/** The sweep at `now`, for a monitor whose check is due. */
export function onCheck(row: HeartbeatRow, spec: HeartbeatSpec, now: number): Change {
  if (row.paused || row.checkAt === null || row.checkAt > now) return none();
  if (row.state === 'up' || row.state === 'new') {
    const lateAt = lateDeadline(row, spec);
    if (lateAt > now) return none({ checkAt: Number.isFinite(lateAt) ? lateAt : null });
    if (lateAt + spec.grace > now) return none({ state: 'late', lateSince: lateAt, checkAt: lateAt + spec.grace });
    return goDown(row, spec, lateAt + spec.grace, now);
  }
  if (row.state === 'late') return goDown(row, spec, row.checkAt, now);
  return none({ checkAt: null });
}

function goDown(row: HeartbeatRow, spec: HeartbeatSpec, downAt: number, now: number): Change {
  const unfinished = row.startedAt !== null && row.startedAt + spec.grace <= (row.dueAt ?? Infinity);
  const title =
    spec.title ??
    (unfinished
      ? `Heartbeat ${spec.name} missed: run started ${roughDuration(now - row.startedAt!)} ago did not finish`
      : row.lastPingAt !== null
        ? `Heartbeat ${spec.name} missed (last ping ${roughDuration(now - row.lastPingAt)} ago)`
        : `Heartbeat ${spec.name} missed (no successful ping yet)`);
  const last = row.lastPingAt !== null ? `last ping at ${iso(row.lastPingAt)}` : 'no successful ping yet';
  const details = unfinished
    ? `A run of ${spec.name} started at ${iso(row.startedAt!)} and reported no success within the ${formatDuration(spec.grace)} grace; ${last}.`
    : `${spec.name} was due at ${iso(row.dueAt ?? downAt)} and sent no ping within the ${formatDuration(spec.grace) || '0s'} grace; ${last}.`;
  return {
    patch: { state: 'down', downSince: downAt, checkAt: null, note: null },
    effect: { fire: { title, details: withNote(details, row.note) } },
  };
}

function withNote(details: string, note: string | null): string {
  return note ? `${details} ${note}` : details;
}

/**
 * At start-up, for a monitor whose deadline passed while Vigil was not running (between `stoppedAt` and `now`):
 * its grace starts again now, and its incident will say why, so nobody is paged for Vigil's own absence.
 */
export function onRestart(row: HeartbeatRow, spec: HeartbeatSpec, stoppedAt: number, now: number): Change {
  if (row.paused || row.checkAt === null || row.checkAt <= stoppedAt || row.checkAt > now) return none();
  const note = `Vigil was not running from ${iso(stoppedAt)} to ${iso(now)}; the ${formatDuration(spec.grace) || '0s'} grace started again at start-up.`;
  if (row.state === 'up' || row.state === 'new') {
    return none({ state: 'late', lateSince: lateDeadline(row, spec), checkAt: now + spec.grace, note });
  }
  if (row.state === 'late') return none({ checkAt: now + spec.grace, note });
  return none();
}

/** Pausing: nothing is decided until it resumes; an open incident resolves. */
export function onPause(row: HeartbeatRow, spec: HeartbeatSpec, at: number, by: string): Change {
  if (row.paused) return none();
  const patch: Partial<NewHeartbeat> = { paused: true, checkAt: null };
  if (row.state !== 'down') return none(patch);
  const downForMs = at - (row.downSince ?? at);
  return {
    patch: { ...patch, state: row.lastPingAt !== null ? 'up' : 'new', downSince: null, lateSince: null, firedLabels: null },
    effect: { resolve: { downForMs, message: `Heartbeat ${spec.name} paused by ${by}; its incident resolves` } },
  };
}

/** Resuming: a full period from now before a ping is due (a monitor never pinged stays new). */
export function onResume(row: HeartbeatRow, spec: HeartbeatSpec, at: number): Change {
  if (!row.paused) return none();
  if (row.lastPingAt === null) return none({ paused: false, state: 'new', dueAt: null, checkAt: null, startedAt: null, lateSince: null });
  const dueAt = nextDue(spec, at);
  return none({ paused: false, state: 'up', dueAt, checkAt: dueAt, startedAt: null, lateSince: null, downSince: null });
}

/** The definition changed (a rules reload, the API): the due time follows the new schedule from the last ping. */
export function onRedefine(row: HeartbeatRow, spec: HeartbeatSpec, now: number): Change {
  if (row.paused || (row.state !== 'up' && row.state !== 'late') || row.lastPingAt === null) return none();
  // Already overdue under the new schedule: due now, so the grace still comes before any page.
  const dueAt = Math.max(nextDue(spec, row.lastPingAt), now);
  return none({ state: 'up', dueAt, checkAt: dueAt, lateSince: null });
}
