/**
 * Alertmanager's fingerprint (prometheus/common model.LabelSet.Fingerprint): FNV-1a 64 over the label
 * pairs sorted by name, each name and value followed by the separator byte 0xff, printed as 16 hex digits.
 * Computing it the same way makes an alert from Prometheus directly and through Alertmanager one alert.
 */
const encoder = new TextEncoder();

// FNV-1a 64-bit in four 16-bit limbs: every product stays a small integer (BigInt, or halves of 32 bits with a
// division for the carry, are several times slower on the ingest path).
const SEPARATOR = 0xff;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export function fingerprintLabels(labels: Record<string, string>): string {
  // The offset basis 0xcbf29ce484222325, low limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  // prime = 2^40 + 0x1b3: h * prime = h * 0x1b3 + (h << 40), and 2^40 is limb 2 shifted by 8 bits.
  const add = (byte: number) => {
    h0 ^= byte;
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    h3 = (h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16)) & 0xffff;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
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
  return HEX[h3 >>> 8]! + HEX[h3 & 0xff]! + HEX[h2 >>> 8]! + HEX[h2 & 0xff]! + HEX[h1 >>> 8]! + HEX[h1 & 0xff]! + HEX[h0 >>> 8]! + HEX[h0 & 0xff]!;
}
