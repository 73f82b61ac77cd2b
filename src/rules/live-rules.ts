import type { Logger } from '../observe/logger.js';
import { watchDirectory } from '../files/watch-dir.js';
import type { CoreMetrics } from '../observe/metrics.js';
import { ConfigError, type Env } from '../files/yaml-file.js';
import { loadRuleSet, type RuleSet } from './ruleset.js';

/**
 * The rule set in force. A reload (SIGHUP, POST /-/reload, a file change) compiles the whole directory
 * again and swaps it in only if every file is valid and every runbook it names exists; otherwise the
 * previous rules stay and the error, naming file, line and field, is logged, returned and shown by
 * vigil_config_last_reload_successful = 0.
 */
export class LiveRules {
  private set: RuleSet;
  private unwatch: (() => void) | null = null;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly metrics: CoreMetrics,
    private readonly env: Env = process.env,
    /** Called after a successful reload (indexes built from the rules are rebuilt). */
    private readonly onReload: () => void = () => {},
    /** The runbooks rules may name (those in force); undefined: not checked. */
    private readonly runbooks: () => ReadonlySet<string> | undefined = () => undefined,
  ) {
    this.set = loadRuleSet(dir, env, { runbooks: runbooks() });
    this.succeeded();
  }

  get current(): RuleSet {
    return this.set;
  }

  /** Reloads, checking runbook names against `runbooks` (default: the runbooks in force). */
  reload(reason: string, runbooks: ReadonlySet<string> | undefined = this.runbooks()): RuleSet {
    try {
      this.set = loadRuleSet(this.dir, this.env, { runbooks });
    } catch (err) {
      this.metrics.configLastReloadSuccessful.set(0);
      if (err instanceof ConfigError) {
        this.logger.error({ reason, problems: err.problems }, 'rules reload failed; the previous rules stay in force');
      }
      throw err;
    }
    this.succeeded();
    this.onReload();
    this.logger.info({ reason, files: this.set.files, rules: this.set.rules.length }, 'rules reloaded');
    return this.set;
  }

  /** Calls `onChange` (default: reload) once files in the directory have changed and settled. */
  watch(onChange: () => void = () => this.reload('file change')): void {
    this.unwatch ??= watchDirectory(this.dir, 'rules', this.logger, onChange);
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = null;
  }

  private succeeded(): void {
    this.metrics.configLastReloadSuccessful.set(1);
    this.metrics.configLastReloadTime.set(Date.now() / 1000);
  }
}
