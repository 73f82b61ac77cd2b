import type { Logger } from '../observe/logger.js';
import { watchDirectory } from '../files/watch-dir.js';
import { ConfigError } from '../files/yaml-file.js';
import { loadRunbookSet, type LoadOptions, type RunbookSet } from './loader.js';

/**
 * The runbooks in force. A reload (SIGHUP, POST /-/reload, a file change) loads the whole directory again
 * and swaps it in only if every file is valid and `check` finds nothing (the rules in force still find every
 * runbook they name); otherwise the previous set stays and the problems, naming file, line and field, are
 * logged and thrown. `onResult` feeds a "last reload successful" gauge.
 */
export class LiveRunbooks {
  private set: RunbookSet;
  private unwatch: (() => void) | null = null;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private options: LoadOptions = {},
    private readonly onResult: (ok: boolean) => void = () => {},
    /** Problems with a new set as a whole, each naming file, line and field (the rules' runbook names). */
    private readonly check: (set: RunbookSet) => string[] = () => [],
  ) {
    this.set = this.checked(loadRunbookSet(dir, options));
    onResult(true);
  }

  get current(): RunbookSet {
    return this.set;
  }

  /** Reads the directory as a reload would, without putting it in force; throws ConfigError. */
  read(options: LoadOptions = this.options): RunbookSet {
    return loadRunbookSet(this.dir, options);
  }

  /**
   * Reloads (or puts `next`, from read(), in force); new global allow-lists (after a config reload) apply from
   * this load on.
   */
  reload(reason: string, options: LoadOptions = this.options, next?: RunbookSet): RunbookSet {
    try {
      this.set = this.checked(next ?? loadRunbookSet(this.dir, options));
      this.options = options;
    } catch (err) {
      this.onResult(false);
      if (err instanceof ConfigError) {
        this.logger.error({ reason, problems: err.problems }, 'runbooks reload failed; the previous runbooks stay in force');
      }
      throw err;
    }
    this.onResult(true);
    this.logger.info({ reason, files: this.set.files, runbooks: [...this.set.runbooks.keys()] }, 'runbooks reloaded');
    return this.set;
  }

  /** Calls `onChange` (default: reload) once files in the directory have changed and settled. */
  watch(onChange: () => void = () => this.reload('file change')): void {
    this.unwatch ??= watchDirectory(this.dir, 'runbooks', this.logger, onChange);
  }

  private checked(set: RunbookSet): RunbookSet {
    const problems = this.check(set);
    if (problems.length > 0) throw new ConfigError(problems.join('\n'), problems);
    return set;
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = null;
  }
}
