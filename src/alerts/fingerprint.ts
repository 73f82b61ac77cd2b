/**
 * Alertmanager's fingerprint (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over the label
 * pairs sorted by name, each name and value followed by the separator byte 0xff, printed as 16 hex digits.
 * Computing it the same way makes an alert from Prometheus directly and through Alertmanager one alert.
 */
const encoder = new TextEncoder();

// FNV-1a 64-bit in two 32-bit halves: BigInt arithmetic is several times slower on the ingest path.
const PRIME_LO = 0x1b3; // low part of the prime 1099511628211 = 2^40 + 0x1b3
const SEPARATOR = 0xff;

export function fingerprintLabels(labels: Record<string, string>): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const add = (byte: number) => {
    lo = (lo ^ byte) >>> 0;
    // prime = 2^40 + 0x1b3, so (hi:lo) * prime mod 2^64 = (hi:lo) * 0x1b3 + (lo << 40)
    const loMul = lo * PRIME_LO;
    const carry = Math.floor(loMul / 0x100000000);
    const newLo = loMul >>> 0;
    const newHi = (Math.imul(hi, PRIME_LO) + carry + (lo << 8)) >>> 0;
    lo = newLo;
    hi = newHi;
  };
  const addString = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        // Non-ASCII: hash the UTF-8 bytes of the rest, as Go does.
        for (const b of encoder.encode(s.slice(i))) add(b);
        return;
      }
      add(c);
    }
  };
  for (const name of Object.keys(labels).sort()) {
    addString(name);
    add(SEPARATOR);
    addString(labels[name]!);
    add(SEPARATOR);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
