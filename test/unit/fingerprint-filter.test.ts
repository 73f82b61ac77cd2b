import { describe, expect, it } from 'vitest';
import { FingerprintFilter } from '../../src/store/sqlite/fingerprint-filter.js';
import { fingerprintLabels } from '../../src/alerts/fingerprint.js';

describe('the filter of stored fingerprints', () => {
  it('never calls a stored fingerprint new, and calls almost every other one new', () => {
    const filter = new FingerprintFilter();
    const fp = (i: number) => fingerprintLabels({ alertname: 'NodeDown', instance: `host-${i}:9100` });
    for (let i = 0; i < 200_000; i++) filter.add(fp(i));
    for (let i = 0; i < 200_000; i++) expect(filter.mightHold(fp(i))).toBe(true);
    let wrong = 0;
    for (let i = 200_000; i < 400_000; i++) if (filter.mightHold(fp(i))) wrong++;
    // At 200,000 stored, well under one in a thousand costs a needless query.
    expect(wrong).toBeLessThan(200);
    expect(filter.mightHold('pagerduty:default:some-dedup-key')).toBe(false);
  });
});
