import { clip, textTable, width } from '../reports/text-table.js';
import { roughDuration } from '../time/duration.js';
import { ApiClient, ApiError, type ApiTarget } from './api-client.js';
import { runApiCommand, shortTime, type CliIo, type Output } from './io.js';

/**
 * Incidents from the terminal, through a running Vigil's HTTP API: list, show, acknowledge, resolve, note,
 * escalate, and follow them live. Each command returns its exit code: 0, or 1 with the API's message.
 */

interface Incident {
  id: number;
  title: string;
  status: string;
  severity: string;
  priority: string;
  team: string | null;
  service: string | null;
  alertCount: number;
  createdAt: string;
  acknowledgedBy: string | null;
  resolvedBy: string | null;
  escalationTier?: number;
}
interface TimelineEvent {
  id: number;
  at: string;
  kind: string;
  actor: string | null;
  message: string;
}
interface IncidentDetail extends Incident {
  alerts: { status: string; labels: Record<string, string>; startsAt: string; receiveCount: number }[];
  timeline: TimelineEvent[];
}
interface Notification {
  id: number;
  kind: string;
  channel: string;
  status: string;
  attempts: number;
  createdAt: string;
  recipient: { name: string; address: string };
}

/** A table whose last column (titles, messages) takes the room the terminal has left. */
function fitted(headers: string[], rows: string[][], columns: number): string {
  const fixed = headers.slice(0, -1).map((h, c) => Math.max(width(h), ...rows.map((r) => width(r[c] ?? ''))) + 2);
  const room = Math.max(20, columns - fixed.reduce((a, b) => a + b, 0));
  return textTable(headers, rows.map((r) => [...r.slice(0, -1), clip(r.at(-1) ?? '', room)]));
}

export interface ListOptions extends ApiTarget {
  status?: string;
  severity?: string;
  team?: string;
  mine?: boolean;
  limit?: string;
  output?: Output;
}

export function listIncidents(opts: ListOptions, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out, columns, now }) => {
    const q = new URLSearchParams();
    if (opts.status) q.set('status', opts.status);
    if (opts.severity) q.set('severity', opts.severity);
    if (opts.team) q.set('team', opts.team);
    if (opts.mine) q.set('mine', 'true');
    q.set('limit', opts.limit ?? '50');
    const { incidents } = await new ApiClient(opts).get<{ incidents: Incident[] }>(`/api/v1/incidents?${q}`);
    if (opts.output === 'json') {
      out(`${JSON.stringify({ incidents }, null, 2)}\n`);
      return 0;
    }
    if (incidents.length === 0) {
      out('no incidents match\n');
      return 0;
    }
    const age = (i: Incident) => roughDuration(now() - Date.parse(i.createdAt));
    const who = (i: Incident) => i.resolvedBy ?? i.acknowledgedBy ?? '-';
    if (opts.output === 'wide') {
      const rows = incidents.map((i) => [`#${i.id}`, i.priority, i.severity, i.status, age(i), i.team ?? '-', i.service ?? '-', String(i.alertCount), who(i), shortTime(i.createdAt), i.title]);
      out(`${fitted(['ID', 'PRI', 'SEVERITY', 'STATUS', 'AGE', 'TEAM', 'SERVICE', 'ALERTS', 'BY', 'OPENED', 'TITLE'], rows, columns)}\n`);
    } else {
      const rows = incidents.map((i) => [`#${i.id}`, i.priority, i.severity, i.status, age(i), i.team ?? '-', i.title]);
      out(`${fitted(['ID', 'PRI', 'SEVERITY', 'STATUS', 'AGE', 'TEAM', 'TITLE'], rows, columns)}\n`);
    }
    return 0;
  });
}

export function showIncident(id: string, opts: ApiTarget & { output?: Output }, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out, columns }) => {
    const api = new ApiClient(opts);
    const incident = await api.get<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`);
    const { notifications } = await api.get<{ notifications: Notification[] }>(`/api/v1/notifications?incident=${incident.id}&limit=200`);
    if (opts.output === 'json') {
      out(`${JSON.stringify({ incident, notifications }, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `#${incident.id} ${incident.title}`,
      `${incident.priority} ${incident.severity}, ${incident.status}${incident.acknowledgedBy ? ` (acknowledged by ${incident.acknowledgedBy})` : ''}${
        incident.resolvedBy ? ` (resolved by ${incident.resolvedBy})` : ''
      }`,
      `team ${incident.team ?? '-'}, service ${incident.service ?? '-'}, opened ${shortTime(incident.createdAt)}, ${incident.alertCount} alert(s)`,
      '',
      'ALERTS',
      fitted(
        ['STATUS', 'STARTED', 'RECEIVED', 'LABELS'],
        incident.alerts.map((a) => [a.status, shortTime(a.startsAt), `${a.receiveCount}x`, Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(' ')]),
        columns,
      ),
      '',
      'TIMELINE',
      fitted(['TIME', 'KIND', 'BY', 'WHAT'], incident.timeline.map((e) => [shortTime(e.at), e.kind, e.actor ?? '-', e.message]), columns),
      '',
      'PAGES',
      notifications.length === 0
        ? 'nobody has been paged'
        : fitted(
            ['ID', 'KIND', 'CHANNEL', 'STATUS', 'ATTEMPTS', 'WHEN', 'TO'],
            notifications.map((n) => [`#${n.id}`, n.kind, n.channel, n.status, String(n.attempts), shortTime(n.createdAt), `${n.recipient.name} <${n.recipient.address}>`]),
            columns,
          ),
    ];
    out(`${lines.join('\n')}\n`);
    return 0;
  });
}

/** Acknowledge or resolve each incident named; every one is tried, and the exit code says whether all went. */
export function actOn(action: 'acknowledge' | 'resolve', ids: string[], opts: ApiTarget & { note?: string }, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out, err }) => {
    const api = new ApiClient(opts);
    let failed = 0;
    for (const id of ids) {
      try {
        const i = await api.post<Incident>(`/api/v1/incidents/${encodeURIComponent(id)}/${action}`, opts.note ? { note: opts.note } : {});
        out(`#${i.id} ${i.status}${action === 'acknowledge' && i.acknowledgedBy ? ` by ${i.acknowledgedBy}` : ''}${action === 'resolve' && i.resolvedBy ? ` by ${i.resolvedBy}` : ''}: ${i.title}\n`);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        err(`#${id}: ${e.message}\n`);
        failed++;
      }
    }
    return failed === 0 ? 0 : 1;
  });
}

export function noteOn(id: string, text: string, opts: ApiTarget, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out }) => {
    await new ApiClient(opts).post(`/api/v1/incidents/${encodeURIComponent(id)}/notes`, { text });
    out(`note added to #${id}\n`);
    return 0;
  });
}

export function escalate(id: string, opts: ApiTarget, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out }) => {
    const i = await new ApiClient(opts).post<Incident>(`/api/v1/incidents/${encodeURIComponent(id)}/escalate`, {});
    out(`#${i.id} escalated${i.escalationTier ? ` to tier ${i.escalationTier}` : ''}: ${i.title}\n`);
    return 0;
  });
}

export interface TailOptions extends ApiTarget {
  /** Poll every this many ms (default 1000). */
  intervalMs?: number;
  /** Stop following (tests; the command itself follows until interrupted). */
  signal?: AbortSignal;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Follows Vigil live: with an id, that incident's timeline as it grows; without, every incident that opens or
 * changes (the console's change feed, polled as JSON so it works behind any proxy). Until interrupted.
 */
export function tail(id: string | undefined, opts: TailOptions, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out, err }) => {
    const api = new ApiClient(opts);
    const every = opts.intervalMs ?? 1000;
    if (id !== undefined) {
      // Every id printed, not the highest: with several instances an event may commit after one with a higher id.
      const seen = new Set<number>();
      while (!opts.signal?.aborted) {
        const incident = await api.get<IncidentDetail>(`/api/v1/incidents/${encodeURIComponent(id)}`);
        for (const e of incident.timeline.filter((e) => !seen.has(e.id))) {
          out(`${shortTime(e.at)}  #${incident.id}  ${e.kind}  ${e.actor ?? '-'}  ${e.message}\n`);
          seen.add(e.id);
        }
        await sleep(every, opts.signal);
      }
      return 0;
    }
    type Batch = { incidents: Incident[]; opened: number[] };
    let since = (await api.get<{ last: number }>('/api/v1/events')).last;
    // On stderr, so the output stays the changes alone: from here on, every change is printed.
    err(`following ${api.base} (Ctrl-C to stop)\n`);
    const status = new Map<number, string>();
    while (!opts.signal?.aborted) {
      const feed = await api.get<{ last: number; reset: boolean; batches: Batch[] }>(`/api/v1/events?since=${since}`);
      for (const b of feed.batches) {
        for (const i of b.incidents) {
          const what = b.opened.includes(i.id) ? 'opened' : status.get(i.id) !== i.status ? i.status : 'updated';
          status.set(i.id, i.status);
          out(`${new Date().toISOString().slice(11, 19)}Z  #${i.id}  ${what}  ${i.priority} ${i.severity}  ${i.status}  ${i.title}\n`);
        }
      }
      since = feed.last;
      await sleep(every, opts.signal);
    }
    return 0;
  });
}
