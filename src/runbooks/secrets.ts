/**
 * Replaces secret values in anything a run records (timeline, logs, API answers). The values come from
 * the runbook's `env:` section and from every ${VAR} read while loading its file; their common encodings
 * (percent-encoded in a URL, escaped in JSON, base64) are masked too.
 */
export const MASK = '***';

/** Shorter values are not masked: "1" or "yes" are not secrets, and masking them would garble every output. */
export const MIN_SECRET_LENGTH = 4;

export class SecretMask {
  private readonly needles: string[];

  constructor(values: Iterable<string>) {
    const needles = new Set<string>();
    for (const v of values) {
      if (v.length < MIN_SECRET_LENGTH) continue;
      needles.add(v);
      needles.add(encodeURIComponent(v));
      needles.add(JSON.stringify(v).slice(1, -1));
      needles.add(Buffer.from(v).toString('base64').replace(/=+$/, ''));
    }
    // Longest first, so a secret containing another is masked whole.
    this.needles = [...needles].filter((n) => n.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const n of this.needles) if (out.includes(n)) out = out.split(n).join(MASK);
    return out;
  }

  /** For text cut off at a size limit: a secret cut in half at the end is masked too. */
  maskCut(text: string): string {
    let out = this.mask(text);
    for (const n of this.needles) {
      for (let k = n.length - 1; k >= 1; k--) {
        if (out.endsWith(n.slice(0, k))) {
          out = out.slice(0, -k) + MASK;
          break;
        }
      }
    }
    return out;
  }
}
