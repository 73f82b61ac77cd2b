import type { SecretMask } from './secrets.js';

/** Collects up to `limit` bytes of a stream and counts the rest, so a chatty program cannot fill memory. */
export class OutputBuffer {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.limit - this.kept;
    if (room <= 0) return;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(part);
    this.kept += part.length;
  }

  get full(): boolean {
    return this.kept >= this.limit;
  }

  /**
   * The kept bytes as text, secrets masked, with a note when some were dropped (`stoppedEarly`: the rest was
   * never read). Masking happens here because only here is it known where the text was cut.
   */
  text(secrets: SecretMask, stoppedEarly = false): string {
    const raw = Buffer.concat(this.chunks).toString('utf8');
    if (this.total <= this.kept) return secrets.mask(raw);
    const body = secrets.maskCut(raw);
    return stoppedEarly ? `${body}\n… (truncated after ${this.kept} bytes)` : `${body}\n… (truncated: ${this.total} bytes, first ${this.kept} kept)`;
  }
}

export function truncate(text: string, limit: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= limit) return text;
  return `${bytes.subarray(0, limit).toString('utf8')}\n… (truncated: ${bytes.length} bytes, first ${limit} kept)`;
}

/** argv for display: plain words as they are, anything else JSON-quoted so spaces and quotes stay visible. */
export const showArgv = (argv: string[]): string => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
