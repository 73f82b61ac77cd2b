import { ConfigError, loadConfig } from '../config/load.js';
import { robotAddressProblems } from '../notify/channels/chat-router.js';
import { providerProblems } from '../notify/channels/phone/provider-problems.js';
import { loadRuleSet } from '../rules/ruleset.js';
import { loadRunbookSet } from '../runbooks/loader.js';

/** `vigil check-config`: every problem of the configuration, rules and runbooks at once (a ConfigError), or what is in force. */
export function checkConfig(): void {
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
}
