#!/usr/bin/env node
import { packageVersion } from '../app/version.js';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/load.js';
import { sendTestAlert } from './send-test-alert.js';
import { rulesTest } from './rules-test.js';
import { loadRunbookSet } from '../runbooks/loader.js';
import { loadRuleSet } from '../rules/ruleset.js';
import { serve } from './serve.js';
import { robotAddressProblems } from '../notify/channels/chat-router.js';
import { providerProblems } from '../notify/channels/phone/provider-problems.js';
import { oncall } from './oncall.js';
import { report } from './report.js';
import { heartbeats } from './heartbeats.js';
import { tokenCreate, tokenList, tokenRevoke } from './token.js';
import { dbCopy, dbMigrate } from './db.js';


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
    await serve();
  });

program
  .command('check-config')
  .description('validate the configuration (VIGIL_CONFIG, default vigil.yaml) and env variables without starting')
  .action(() => {
    const config = loadConfig();
    // Every problem of both directories at once; the rules' runbook names are checked when the runbooks load.
    const problems: string[] = [];
    const collect = <T>(load: () => T): T | null => {
      try {
        return load();
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        problems.push(...err.problems);
        return null;
      }
    };
    const books = collect(() => loadRunbookSet(config.runbooks.dir, { allowHosts: config.runbooks.allowHosts, allowCommands: config.runbooks.allowCommands }));
    const rules = collect(() => loadRuleSet(config.rules.dir, process.env, { runbooks: books ? new Set(books.runbooks.keys()) : undefined }));
    if (rules) problems.push(...robotAddressProblems(rules, config.notify.robots).map((p) => `${config.rules.dir}: ${p}`));
    problems.push(...providerProblems(config.notify).map((p) => `${config.source ?? 'configuration'}: ${p}`));
    if (!books || !rules || problems.length > 0) throw new ConfigError(problems.join('\n'), problems);
    const shipped = (kind: 'rules' | 'runbooks') => (config.shipped?.[kind] ? ` (shipped with Vigil: no ${kind}.dir configured and no ./${kind} here)` : '');
    console.log(`configuration OK: ${config.source ?? 'built-in defaults (no vigil.yaml)'}`);
    console.log(
      `rules OK: ${rules.files.length} files, ${rules.rules.length} rules, ${rules.inhibitRules.length} inhibit rules, ${rules.maintenance.length} maintenance windows, ${rules.schedules.size} schedules, ${rules.escalationPolicies.size} escalation policies in ${config.rules.dir}${shipped('rules')}`,
    );
    console.log(`runbooks OK: ${books.runbooks.size} runbooks in ${config.runbooks.dir}${shipped('runbooks')}${config.runbooks.enabled ? '' : ' (switched off: runbooks.enabled false)'}`);
  });

const db = program.command('db').description("Vigil's database (VIGIL_DB: a SQLite file or a postgres:// URL)");
db.command('migrate')
  .description('bring the database schema up to this version of Vigil, then exit (vigil serve also does this at start-up)')
  .action(async () => {
    process.exitCode = await dbMigrate();
  });
db.command('copy')
  .description('copy an embedded SQLite database into an empty PostgreSQL one (stop Vigil first), with every incident, timeline, timer and message')
  .requiredOption('--from <file>', 'the SQLite file (e.g. ./data/vigil.db)')
  .requiredOption('--to <url>', 'the PostgreSQL database (postgres://user:pass@host:5432/db)')
  .action(async (opts: { from: string; to: string }) => {
    process.exitCode = await dbCopy(opts);
  });

const rules = program.command('rules').description('work with the rules in rules/');
rules
  .command('test')
  .description('show what the rules decide for an alert: a JSON file, - for stdin, or label=value pairs')
  .argument('[alert...]', 'JSON file, -, or label=value pairs (annotations.name=value for annotations)')
  .option('--at <time>', 'evaluate silences and maintenance windows at this RFC 3339 time (default: now)')
  .action(async (args: string[], opts: { at?: string }) => {
    process.exitCode = await rulesTest(args, opts);
  });

program
  .command('oncall')
  .description('show who is on call per team and tier, and until when, from the schedules in rules/')
  .option('--team <team>', 'only this team')
  .option('--at <time>', 'at this time: RFC 3339, now, or an offset from now (2h ahead, -2h ago) (default: now)')
  .option('--until <time>', 'list every shift from --at until this time: RFC 3339, or an offset from now (7d ahead)')
  .action((opts: { team?: string; at?: string; until?: string }) => {
    process.exitCode = oncall(opts);
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
    process.exitCode = await report(opts);
  });

program
  .command('heartbeats')
  .description('list heartbeat monitors: state, last ping, next due (from the database, VIGIL_DB)')
  .option('--json', 'as JSON, as GET /api/v1/heartbeats answers')
  .action(async (opts: { json?: boolean }) => {
    process.exitCode = await heartbeats(opts);
  });

const token = program.command('token').description("people's personal tokens: console sign-in and the API under their own name");
token
  .command('create')
  .description('create a token for a person of rules/ and print it (once; only its hash is stored)')
  .requiredOption('--person <id>', 'the person, as in the people section of rules/')
  .option('--expires <duration>', 'e.g. 90d, 12h, or never', 'never')
  .option('--label <text>', 'what the token is for, shown by token list')
  .action(async (opts: { person: string; expires?: string; label?: string }) => {
    process.exitCode = await tokenCreate(opts);
  });
token
  .command('list')
  .description('list tokens (id, person, label, state, dates; never the secret)')
  .option('--json', 'as JSON')
  .action(async (opts: { json?: boolean }) => {
    process.exitCode = await tokenList(opts);
  });
token
  .command('revoke')
  .description('revoke a token by its id (see token list); it stops working at once')
  .argument('<id>', 'the token id, e.g. pat_1a2b3c4d5e6f')
  .action(async (id: string) => {
    process.exitCode = await tokenRevoke(id);
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
    process.exitCode = await sendTestAlert({ ...opts, token: token || undefined });
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
