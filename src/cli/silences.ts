import { textTable } from '../reports/text-table.js';
import { formatMatcher, MatcherError, parseMatchers } from '../rules/matchers.js';
import { ApiClient, type ApiTarget } from './api-client.js';
import { runApiCommand, shortTime, type CliIo, type Output } from './io.js';

/** Silences from the terminal in amtool's syntax, through a running Vigil's API. Each returns its exit code. */

interface Silence {
  id: string;
  matchers: string[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  state: string;
}


/** Each argument is one matcher, as amtool takes them (`alertname=Foo`, `service=~"db.*"`); null after printing why not. */
function matchers(args: readonly string[], err: (text: string) => void): string[] | null {
  try {
    return args.flatMap((a) => parseMatchers(a)).map(formatMatcher);
  } catch (e) {
    if (!(e instanceof MatcherError)) throw e;
    err(`bad matcher: ${e.message}\n`);
    return null;
  }
}

export function silenceAdd(args: string[], opts: ApiTarget & { duration?: string; end?: string; comment?: string; author?: string }, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out, err }) => {
    const given = matchers(args, err);
    if (!given) return 2;
    if (given.length === 0) {
      err('give at least one matcher, e.g. alertname=DiskFull\n');
      return 2;
    }
    if (!opts.comment) {
      err('--comment is required: say why (people who see the silence will read it)\n');
      return 2;
    }
    const body = {
      matchers: given,
      comment: opts.comment,
      ...(opts.end ? { endsAt: opts.end } : { duration: opts.duration ?? '1h' }),
      ...(opts.author ? { createdBy: opts.author } : { createdBy: process.env.USER ?? 'cli' }),
    };
    const silence = await new ApiClient(opts).post<Silence>('/api/v1/silences', body);
    out(`${silence.id}\n`);
    return 0;
  });
}

export function silenceQuery(args: string[], opts: ApiTarget & { expired?: boolean; output?: Output }, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out, err }) => {
    const wanted = matchers(args, err);
    if (!wanted) return 2;
    const state = opts.expired ? 'expired' : undefined;
    const { silences } = await new ApiClient(opts).get<{ silences: Silence[] }>(`/api/v1/silences${state ? `?state=${state}` : ''}`);
    // Like amtool: without --expired the active and pending ones; a matcher given must be one of the silence's.
    const shown = silences.filter((s) => (opts.expired || s.state !== 'expired') && wanted.every((m) => s.matchers.includes(m)));
    if (opts.output === 'json') {
      out(`${JSON.stringify({ silences: shown }, null, 2)}\n`);
      return 0;
    }
    if (shown.length === 0) {
      out('no silences match\n');
      return 0;
    }
    const rows = shown.map((s) => [s.id, s.matchers.join(' '), s.state, shortTime(s.endsAt), s.createdBy, s.comment]);
    out(`${textTable(['ID', 'MATCHERS', 'STATE', 'ENDS AT', 'CREATED BY', 'COMMENT'], rows)}\n`);
    return 0;
  });
}

export function silenceExpire(ids: string[], opts: ApiTarget, io: CliIo = {}): Promise<number> {
  return runApiCommand(io, async ({ out }) => {
    const api = new ApiClient(opts);
    for (const id of ids) {
      await api.delete(`/api/v1/silences/${encodeURIComponent(id)}`);
      out(`expired ${id}\n`);
    }
    return 0;
  });
}
