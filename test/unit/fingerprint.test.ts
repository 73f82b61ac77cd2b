import { describe, expect, it } from 'vitest';
import { fingerprintLabels } from '../../src/alerts/fingerprint.js';
import { fixture } from '../helpers/vigil.js';

describe('fingerprintLabels', () => {
  it('matches the fingerprints a real Alertmanager 0.25 computed', () => {
    const body = fixture('alertmanager-v4-firing.json');
    for (const alert of body.alerts) expect(fingerprintLabels(alert.labels)).toBe(alert.fingerprint);
  });

  it('does not depend on label order', () => {
    expect(fingerprintLabels({ b: '2', a: '1' })).toBe(fingerprintLabels({ a: '1', b: '2' }));
  });

  it('separates names from values, so moved characters change the result', () => {
    expect(fingerprintLabels({ ab: 'c' })).not.toBe(fingerprintLabels({ a: 'bc' }));
  });

  it('gives the FNV-64a offset basis for no labels and 16 hex digits always', () => {
    expect(fingerprintLabels({})).toBe('cbf29ce484222325');
    expect(fingerprintLabels({ alertname: 'x' })).toMatch(/^[0-9a-f]{16}$/);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    // Known value computed with Go's hash/fnv over the UTF-8 bytes of name 0xff value 0xff.
    const viaBytes = (() => {
      let h = 0xcbf29ce484222325n;
      for (const b of [...Buffer.from('zone'), 0xff, ...Buffer.from('zürich'), 0xff]) {
        h ^= BigInt(b);
        h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
      }
      return h.toString(16).padStart(16, '0');
    })();
    expect(fingerprintLabels({ zone: 'zürich' })).toBe(viaBytes);
  });

  it('agrees with FNV-64a computed in BigInt over thousands of label sets, ASCII and not', () => {
    const reference = (labels: Record<string, string>) => {
      let h = 0xcbf29ce484222325n;
      for (const name of Object.keys(labels).sort()) {
        for (const b of [...Buffer.from(name), 0xff, ...Buffer.from(labels[name]!), 0xff]) {
          h ^= BigInt(b);
          h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
        }
      }
      return h.toString(16).padStart(16, '0');
    };
    const chars = 'az_09:/.-=~ \u007f\u0080äß漢😀';
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const text = (max: number) => Array.from({ length: random(max) }, () => [...chars][random([...chars].length)]).join('');
    for (let n = 0; n < 3000; n++) {
      const labels: Record<string, string> = {};
      for (let i = 0; i <= random(6); i++) labels[`l${text(8)}`] = text(40);
      expect(fingerprintLabels(labels)).toBe(reference(labels));
    }
  });
});
