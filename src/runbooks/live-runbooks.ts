import type { Logger } from '../core/logger.js';
import { watchDirectory } from '../config/watch-dir.js';
import { ConfigError } from '../config/yaml-file.js';
import { loadRunbookSet, type LoadOptions, type RunbookSet } from './loader.js';

/**
 * The runbooks in force. A reload (SIGHUP, POST /-/reload, a file change) loads the whole directory again
 * and swaps it in only if every file is valid; otherwise the previous set stays and the problems, naming
 * file, line and field, are logged and thrown. `onResult` feeds a "last reload successful" gauge.
 */
export class LiveRunbooks {
  private set: RunbookSet;
  private unwatch: (() => void) | null = null;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private options: LoadOptions = {},
    private readonly onResult: (ok: boolean) => void = () => {},
  ) {
    this.set = loadRunbookSet(dir, options);
    onResult(true);
  }

  get current(): RunbookSet {
    return this.set;
  }

  /** Reloads; new global allow-lists (after a config reload) apply from this load on. */
  reload(reason: string, options: LoadOptions = this.options): RunbookSet {
    try {
      this.set = loadRunbookSet(this.dir, options);
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

  /** Reloads shortly after files in the directory change. */
  watch(): void {
    this.unwatch ??= watchDirectory(this.dir, 'runbooks', this.logger, () => this.reload('file change'));
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = null;
  }
}
