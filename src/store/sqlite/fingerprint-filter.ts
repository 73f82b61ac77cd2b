/** 2^23 bits (1 MB): a needless query for one new alert in 10^5 with 200,000 fingerprints stored, one in 50 with a million. */
const BITS_LOG2 = 23;
const MASK = (1 << BITS_LOG2) - 1;
const HASHES = 4;

/**
 * Every fingerprint the alerts table has held, as a Bloom filter: "never seen" is certain, so an alert storm's new
 * alerts skip the alert-state query (one SELECT per alert). A fingerprint it seems to know is looked up as before.
 * Bits are only ever added (a rolled-back insert or a purged row costs at most a query), so it never says "new"
 * of a stored fingerprint. One process serves a SQLite file, so nothing else adds rows behind it.
 */
export class FingerprintFilter {
  private readonly words = new Uint32Array(1 << (BITS_LOG2 - 5));

  add(fingerprint: string): void {
    const [first, h2] = hashes(fingerprint);
    for (let i = 0, h1 = first; i < HASHES; i++, h1 = (h1 + h2) | 0) {
      const bit = h1 & MASK;
      this.words[bit >>> 5]! |= 1 << (bit & 31);
    }
  }

  mightHold(fingerprint: string): boolean {
    const [first, h2] = hashes(fingerprint);
    for (let i = 0, h1 = first; i < HASHES; i++, h1 = (h1 + h2) | 0) {
      const bit = h1 & MASK;
      if ((this.words[bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit FNV-1a hashes (different offsets), for double hashing. */
function hashes(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return [a, b | 1];
}
