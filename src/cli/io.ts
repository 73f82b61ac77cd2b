import { ApiError } from './api-client.js';

/** Where a command writes, and what it reads of its terminal: the process's own unless a test gives others. */
export interface CliIo {
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** Terminal width for tables (default: the terminal's, else 120). */
  columns?: number;
  now?: () => number;
}

export type Output = 'table' | 'wide' | 'json';

export function streams(io: CliIo) {
  return {
    out: io.out ?? ((text: string) => void process.stdout.write(text)),
    err: io.err ?? ((text: string) => void process.stderr.write(text)),
    columns: io.columns ?? (process.stdout.columns || 120),
    now: io.now ?? Date.now,
  };
}

export type Streams = ReturnType<typeof streams>;

/** Runs a command that talks to a running Vigil: an API failure is printed as its error, exit code 1. */
export async function runApiCommand(io: CliIo, body: (s: Streams) => Promise<number>): Promise<number> {
  const s = streams(io);
  try {
    return await body(s);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    s.err(`${err.message}\n`);
    return 1;
  }
}

/** An RFC 3339 time to the minute, as the tables show it: 2026-12-01 10:00Z. */
export const shortTime = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')}Z`;
