import path from 'node:path';

/**
 * Host allow-list entries: "host", "host:port", "*.example.com" (any subdomain, not the domain itself),
 * "[::1]:8080". Without a port any port of that host is allowed. Hosts are compared after WHATWG URL
 * normalisation, so "127.1" and "127.0.0.1" are the same host.
 */
interface HostEntry {
  wildcard: boolean;
  hostname: string;
  port: number | null;
}

const entryPattern = /^(\*\.)?(\[[0-9a-fA-F:.]+\]|[^:/?#@[\]\s*]+)(?::(\d{1,5}))?$/;

export function parseHostEntry(entry: string): HostEntry | string {
  const m = entryPattern.exec(entry.trim());
  if (!m) return `invalid allow-list host "${entry}" (expected host, host:port or *.domain)`;
  let hostname: string;
  try {
    hostname = new URL(`http://${m[2]}/`).hostname;
  } catch {
    return `invalid allow-list host "${entry}"`;
  }
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) return `invalid port in allow-list host "${entry}"`;
  return { wildcard: Boolean(m[1]), hostname, port };
}

const defaultPort: Record<string, number> = { 'http:': 80, 'https:': 443 };

export function effectivePort(url: URL): number {
  return url.port === '' ? (defaultPort[url.protocol] ?? 0) : Number(url.port);
}

/** Whether the URL's host and port are on the list; entries that do not parse never match. */
export function hostAllowed(url: URL, allowList: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = effectivePort(url);
  return allowList.some((raw) => {
    const e = parseHostEntry(raw);
    if (typeof e === 'string') return false;
    if (e.port !== null && e.port !== port) return false;
    return e.wildcard ? host.endsWith(`.${e.hostname}`) : host === e.hostname;
  });
}

/** Executables are absolute, normalised paths compared exactly (symlinks are not resolved). */
export function validateCommandPath(command: string): string | null {
  if (!path.isAbsolute(command)) return `"${command}" must be an absolute path`;
  if (path.normalize(command) !== command) return `"${command}" must be a normalised path (no "..", "//" or trailing "/")`;
  return null;
}

export const commandAllowed = (command: string, allowList: readonly string[]): boolean => allowList.includes(command);
