import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first use rather than at start-up: the SDKs of providers a deployment has not
 * configured (and the PostgreSQL driver on the embedded store) then cost neither memory nor start-up time.
 * `init` runs once, when the package is loaded.
 */
export function lazyPackage<T>(name: string, init?: (loaded: T) => void): () => T {
  let loaded: T | undefined;
  return () => {
    if (loaded === undefined) {
      loaded = require(name) as T;
      init?.(loaded);
    }
    return loaded;
  };
}
