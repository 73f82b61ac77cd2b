#!/usr/bin/env node
import { packageVersion } from '../app/version.js';
import { Command } from 'commander';
import { ConfigError } from '../config/load.js';
import type { ApiTarget } from './api-client.js';
import type { ListOptions } from './incidents.js';
import type { Output } from './io.js';
import type { OverrideOptions } from './oncall-overrides.js';


const program = new Command();
program
  .name('vigil')
  .description('Alerting and auto-response: alerts in, incidents out, people paged until someone answers.')
  .version(packageVersion(), '-V, --version', 'print the version of Vigil')
  .showHelpAfterError();

program
  .command('serve')
  .description('run Vigil (HTTP ingest, API, scheduler) until SIGTERM')
  .action(async () => {
    await (await import('./serve.js')).serve();
  });

program
  .command('check-config')
  .description('validate the configuration (VIGIL_CONFIG, default vigil.yaml) and env variables without starting')
  .action(async () => {
    (await import('./check-config.js')).checkConfig();
  });

const db = program.command('db').description("Vigil's database (VIGIL_DB: a SQLite file or a postgres:// URL)");
db.command('migrate')
  .description('bring the database schema up to this version of Vigil, then exit (vigil serve also does this at start-up)')
  .action(async () => {
    process.exitCode = await (await import('./db.js')).dbMigrate();
  });
db.command('copy')
  .description('copy an embedded SQLite database into an empty PostgreSQL one (stop Vigil first), with every incident, timeline, timer and message')
  .requiredOption('--from <file>', 'the SQLite file (e.g. ./data/vigil.db)')
  .requiredOption('--to <url>', 'the PostgreSQL database (postgres://user:pass@host:5432/db)')
  .action(async (opts: { from: string; to: string }) => {
    process.exitCode = await (await import('./db.js')).dbCopy(opts);
  });

const rules = program.command('rules').description('work with the rules in rules/');
rules
  .command('test')
  .description('show what the rules decide for an alert: a JSON file, - for stdin, or label=value pairs')
  .argument('[alert...]', 'JSON file, -, or label=value pairs (annotations.name=value for annotations)')
  .option('--at <time>', 'evaluate silences and maintenance windows at this RFC 3339 time (default: now)')
  .action(async (args: string[], opts: { at?: string }) => {
    process.exitCode = await (await import('./rules-test.js')).rulesTest(args, opts);
  });

program
  .command('oncall')
  .description('show who is on call per team and tier, and until when, from the schedules in rules/')
  .option('--team <team>', 'only this team')
  .option('--at <time>', 'at this time: RFC 3339, now, or an offset from now (2h ahead, -2h ago) (default: now)')
  .option('--until <time>', 'list every shift from --at until this time: RFC 3339, or an offset from now (7d ahead)')
  .action(async (opts: { team?: string; at?: string; until?: string }) => {
    process.exitCode = await (await import('./oncall.js')).oncall(opts);
  });

program
  .command('report')
  .description('print the incident figures of a period (what the digests send) from the database (VIGIL_DB)')
  .option('--since <time>', 'start: RFC 3339 time or a duration back from now, e.g. 7d, 24h (default: 7d before --until)')
  .option('--until <time>', 'end: RFC 3339 time, now, or a duration back from now (default: now)')
  .option('--team <team>', "only this team's incidents")
  .option('--tz <zone>', 'time zone for local days and night hours (default: digests.timeZone)')
  .option('--json', 'print the summary as JSON, as GET /api/v1/reports/summary answers')
  .action(async (opts: { since?: string; until?: string; team?: string; tz?: string; json?: boolean }) => {
    process.exitCode = await (await import('./report.js')).report(opts);
  });

program
  .command('heartbeats')
  .description('list heartbeat monitors: state, last ping, next due (from the database, VIGIL_DB)')
  .option('--json', 'as JSON, as GET /api/v1/heartbeats answers')
  .action(async (opts: { json?: boolean }) => {
    process.exitCode = await (await import('./heartbeats.js')).heartbeats(opts);
  });

const token = program.command('token').description("people's personal tokens: console sign-in and the API under their own name");
token
  .command('create')
  .description('create a token for a person of rules/ and print it (once; only its hash is stored)')
  .requiredOption('--person <id>', 'the person, as in the people section of rules/')
  .option('--expires <duration>', 'e.g. 90d, 12h, or never', 'never')
  .option('--label <text>', 'what the token is for, shown by token list')
  .action(async (opts: { person: string; expires?: string; label?: string }) => {
    process.exitCode = await (await import('./token.js')).tokenCreate(opts);
  });
token
  .command('list')
  .description('list tokens (id, person, label, state, dates; never the secret)')
  .option('--json', 'as JSON')
  .action(async (opts: { json?: boolean }) => {
    process.exitCode = await (await import('./token.js')).tokenList(opts);
  });
token
  .command('revoke')
  .description('revoke a token by its id (see token list); it stops working at once')
  .argument('<id>', 'the token id, e.g. pat_1a2b3c4d5e6f')
  .action(async (id: string) => {
    process.exitCode = await (await import('./token.js')).tokenRevoke(id);
  });

program
  .command('send-test-alert')
  .description('post a sample alert to a running Vigil')
  .option('-s, --severity <severity>', 'critical, warning, reminder or info (default: critical; with --resolve, every severity)')
  .option('-u, --url <url>', 'Vigil base URL', process.env.VIGIL_URL ?? `http://localhost:${process.env.VIGIL_PORT ?? '9095'}`)
  .option('-t, --token <token>', 'ingest token (default: $VIGIL_INGEST_TOKEN, first of the list)')
  .option('-r, --resolve', 'send the resolved notification instead of the firing one')
  .action(async (opts: { severity?: string; url: string; token?: string; resolve?: boolean }) => {
    const token = opts.token ?? process.env.VIGIL_INGEST_TOKEN?.split(',')[0]?.trim();
    process.exitCode = await (await import('./send-test-alert.js')).sendTestAlert({ ...opts, token: token || undefined });
  });

// ---- a running Vigil, through its HTTP API

/** --url and --token, for the commands that talk to a running Vigil. */
function api(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'Vigil base URL (default: $VIGIL_URL, else http://localhost:$VIGIL_PORT or 9095)')
    .option('--token <token>', 'a personal token or the API token (default: $VIGIL_TOKEN, else $VIGIL_API_TOKEN)');
}
const output = (v: string) => {
  if (v !== 'table' && v !== 'wide' && v !== 'json') throw new Error(`-o: expected table, wide or json, not ${v}`);
  return v as Output;
};

const oncallCommand = program.commands.find((c) => c.name() === 'oncall')!;
api(oncallCommand.command('override'))
  .description("put someone on call for a schedule for a while (stored in Vigil's database, applied at once)")
  .requiredOption('--schedule <name>', 'a schedule of rules/, e.g. platform-primary')
  .requiredOption('--person <id>', 'who takes the shift, a person of rules/')
  .option('--for <duration>', 'from now (or --from) for this long, e.g. 2h')
  .option('--from <time>', 'start: RFC 3339 (default: now)')
  .option('--to <time>', 'end: RFC 3339 (instead of --for)')
  .option('--reason <text>', 'why, shown with the override')
  .action(async (opts: OverrideOptions) => {
    process.exitCode = await (await import('./oncall-overrides.js')).overrideAdd(opts);
  });
api(oncallCommand.command('overrides'))
  .description('list the overrides made through the API and CLI that have not ended, or remove one')
  .option('--remove <id>', 'remove this override')
  .option('-o, --output <format>', 'table or json', output, 'table' as Output)
  .action(async (opts: ApiTarget & { output?: Output; remove?: string }) => {
    process.exitCode = await (await import('./oncall-overrides.js')).overrideList(opts);
  });

api(program.command('incidents'))
  .description('list incidents, newest first')
  .option('--status <status>', 'open, triggered, acknowledged or resolved')
  .option('--severity <severity>', 'critical, warning, reminder or info')
  .option('--team <team>', 'only this team')
  .option('--mine', 'only incidents you were paged for (needs your personal token)')
  .option('--limit <n>', 'at most this many (1-500)', '50')
  .option('-o, --output <format>', 'table, wide or json', output, 'table' as Output)
  .action(async (opts: ListOptions) => {
    process.exitCode = await (await import('./incidents.js')).listIncidents(opts);
  });

const incident = program.command('incident').description('one incident');
api(incident.command('show'))
  .description('an incident with its alerts, timeline and pages (with their delivery status)')
  .argument('<id>', 'the incident number')
  .option('-o, --output <format>', 'table or json', output, 'table' as Output)
  .action(async (id: string, opts: ApiTarget & { output?: Output }) => {
    process.exitCode = await (await import('./incidents.js')).showIncident(id, opts);
  });

for (const [name, action, description] of [
  ['ack', 'acknowledge', 'acknowledge incidents'],
  ['resolve', 'resolve', 'resolve incidents (and their alerts still firing)'],
] as const) {
  api(program.command(name))
    .description(description)
    .argument('<id...>', 'incident numbers')
    .option('--note <text>', 'a note for the timeline')
    .action(async (ids: string[], opts: ApiTarget & { note?: string }) => {
      process.exitCode = await (await import('./incidents.js')).actOn(action, ids, opts);
    });
}
api(program.command('note'))
  .description("add a note to an incident's timeline (it counts as a progress update)")
  .argument('<id>', 'the incident number')
  .argument('<text...>', 'the note')
  .action(async (id: string, words: string[], opts: ApiTarget) => {
    process.exitCode = await (await import('./incidents.js')).noteOn(id, words.join(' '), opts);
  });
api(program.command('escalate'))
  .description('page the next escalation tier of an incident now')
  .argument('<id>', 'the incident number')
  .action(async (id: string, opts: ApiTarget) => {
    process.exitCode = await (await import('./incidents.js')).escalate(id, opts);
  });
api(program.command('tail'))
  .description("follow incidents live (or one incident's timeline) until interrupted")
  .argument('[id]', 'an incident number')
  .action(async (id: string | undefined, opts: ApiTarget) => {
    process.exitCode = await (await import('./incidents.js')).tail(id, opts);
  });

const silence = program.command('silence').description("silences, in amtool's syntax");
api(silence.command('add'))
  .description('silence the alerts matching every matcher, e.g. alertname=DiskFull service=~"db.*"')
  .argument('<matcher...>', 'Alertmanager matchers')
  .option('-d, --duration <duration>', 'how long, e.g. 2h (default 1h)')
  .option('--end <time>', 'until this RFC 3339 time instead')
  .option('-c, --comment <text>', 'why (required)')
  .option('-a, --author <name>', 'who (default: you, or $USER)')
  .action(async (args: string[], opts: ApiTarget & { duration?: string; end?: string; comment?: string; author?: string }) => {
    process.exitCode = await (await import('./silences.js')).silenceAdd(args, opts);
  });
api(silence.command('query'))
  .description('list active and pending silences, those with every matcher given')
  .argument('[matcher...]', 'Alertmanager matchers')
  .option('-e, --expired', 'expired silences instead')
  .option('-o, --output <format>', 'table or json', output, 'table' as Output)
  .action(async (args: string[], opts: ApiTarget & { expired?: boolean; output?: Output }) => {
    process.exitCode = await (await import('./silences.js')).silenceQuery(args, opts);
  });
api(silence.command('expire'))
  .description('end silences now')
  .argument('<id...>', 'silence ids')
  .action(async (ids: string[], opts: ApiTarget) => {
    process.exitCode = await (await import('./silences.js')).silenceExpire(ids, opts);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`invalid configuration:\n${err.problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(2);
  }
  console.error((err as Error).message);
  process.exit(1);
}
