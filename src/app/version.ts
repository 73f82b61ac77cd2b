import { readFileSync } from 'node:fs';

/** The installed package's version: package.json at the package root (two levels above src/app and dist/app). */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
