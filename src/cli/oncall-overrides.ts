import { textTable } from '../reports/text-table.js';
import { ApiClient, type ApiTarget } from './api-client.js';
import { runApiCommand, shortTime, type CliIo, type Output } from './io.js';

/** On-call changes without a YAML edit, through a running Vigil's API (so they apply at once, on every instance). */

interface Override {
  id: string;
  schedule: string;
  person: string;
  startsAt: string;
  endsAt: string;
  createdBy: string;
  reason: string | null;
}


export interface OverrideOptions extends ApiTarget {
  schedule: string;
  person: string;
  for?: string;
  from?: string;
  to?: string;
  reason?: string;
}

export function overrideAdd(opts: OverrideOptions, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out, err }) => {
    if ((opts.for === undefined) === (opts.to === undefined)) {
      err('give --for (e.g. 2h) or --to (an RFC 3339 time), one of them\n');
      return 2;
    }
    const body = {
      schedule: opts.schedule,
      person: opts.person,
      ...(opts.from ? { startsAt: opts.from } : {}),
      ...(opts.for ? { duration: opts.for } : { endsAt: opts.to }),
      ...(opts.reason ? { reason: opts.reason } : {}),
      by: process.env.USER ?? 'cli',
    };
    const o = await new ApiClient(opts).post<Override>('/api/v1/oncall/overrides', body);
    out(`${o.id}: ${o.person} on call for ${o.schedule} from ${shortTime(o.startsAt)} until ${shortTime(o.endsAt)}\n`);
    return 0;
  });
}

export function overrideList(opts: ApiTarget & { output?: Output; remove?: string }, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out }) => {
    const api = new ApiClient(opts);
    if (opts.remove) {
      await api.delete(`/api/v1/oncall/overrides/${encodeURIComponent(opts.remove)}`);
      out(`removed ${opts.remove}\n`);
      return 0;
    }
    const { overrides } = await api.get<{ overrides: Override[] }>('/api/v1/oncall/overrides');
    if (opts.output === 'json') {
      out(`${JSON.stringify({ overrides }, null, 2)}\n`);
      return 0;
    }
    if (overrides.length === 0) {
      out('no overrides made through the API (the rules files may have their own: vigil oncall shows them)\n');
      return 0;
    }
    const rows = overrides.map((o) => [o.id, o.schedule, o.person, shortTime(o.startsAt), shortTime(o.endsAt), o.createdBy, o.reason ?? '']);
    out(`${textTable(['ID', 'SCHEDULE', 'PERSON', 'FROM', 'UNTIL', 'BY', 'REASON'], rows)}\n`);
    return 0;
  });
}
