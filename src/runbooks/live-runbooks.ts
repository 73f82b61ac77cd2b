import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from '../core/logger.js';
import { ConfigError } from '../config/yaml-file.js';
import { loadRunbookSet, type LoadOptions, type RunbookSet } from './loader.js';

/**
 * The runbooks in force. A reload (SIGHUP, POST /-/reload, a file change) loads the whole directory again
 * and swaps it in only if every file is valid; otherwise the previous set stays and the problems, naming
 * file, line and field, are logged and thrown. `onResult` feeds a "last reload successful" gauge.
 */
export class LiveRunbooks {
  private set: RunbookSet;
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | null = null;

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

  /** Reloads shortly after files in the directory change (editors write in several steps). */
  watch(): void {
    if (this.watcher) return;
    try {
      this.watcher = watch(this.dir, () => {
        if (this.debounce) clearTimeout(this.debounce);
        this.debounce = setTimeout(() => {
          try {
            this.reload('file change');
          } catch {
            // logged by reload
          }
        }, 250);
      });
      this.watcher.on('error', (err) => this.logger.warn({ err }, 'watching the runbooks directory failed; use SIGHUP or POST /-/reload'));
    } catch (err) {
      this.logger.warn({ err }, 'cannot watch the runbooks directory; use SIGHUP or POST /-/reload');
    }
  }

  close(): void {
    if (this.debounce) clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = null;
  }
}
