import { watch } from 'node:fs';
import type { Logger } from '../core/logger.js';

/**
 * Calls `reload` shortly after files in `dir` change (editors write in several steps, so changes within
 * 250 ms are one reload). A directory that cannot be watched is logged, not fatal: SIGHUP and POST /-/reload
 * still work. Returns a function that stops watching.
 */
export function watchDirectory(dir: string, what: string, logger: Logger, reload: () => void): () => void {
  let debounce: NodeJS.Timeout | null = null;
  const hint = 'use SIGHUP or POST /-/reload';
  try {
    const watcher = watch(dir, () => {
      if (debounce) clearTimeout(debounce);
      debounce = setTimeout(() => {
        try {
          reload();
        } catch {
          // reload logs its own problems; the previous files stay in force
        }
      }, 250);
    });
    watcher.on('error', (err) => logger.warn({ err }, `watching the ${what} directory failed; ${hint}`));
    return () => {
      if (debounce) clearTimeout(debounce);
      watcher.close();
    };
  } catch (err) {
    logger.warn({ err }, `cannot watch the ${what} directory; ${hint}`);
    return () => {};
  }
}
