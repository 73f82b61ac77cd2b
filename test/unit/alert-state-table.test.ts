import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../src/store/types.js';
import { AlertStateTable } from '../../src/store/sqlite/alert-state-table.js';

const state = (id: number, over: Partial<AlertState> = {}): AlertState => ({
  id,
  incidentId: id * 10,
  status: 'firing',
  severity: 'warning',
  rawSeverity: 'warning',
  startsAt: 1_764_590_000_000 + id,
  endsAt: null,
  expiresAt: 1_764_600_000_000,
  resolvedBy: null,
  annotationsDigest: 2 ** 52 + id,
  valuesDigest: null,
  ...over,
});

describe('the alert-state table', () => {
  it('gives back every field as it was set, nulls included', () => {
    const t = new AlertStateTable(10);
    const a = state(1);
    const b = state(2, { status: 'resolved', severity: 'critical', rawSeverity: null, endsAt: 5, expiresAt: null, resolvedBy: 'alice', valuesDigest: 0 });
    t.set('fa', a);
    t.set('fb', b);
    expect(t.get('fa')).toEqual(a);
    expect(t.get('fb')).toEqual(b);
    expect(t.get('fc')).toBeUndefined();
  });

  it('patches by id and forgets by id or fingerprint, reusing the freed rows', () => {
    const t = new AlertStateTable(10);
    t.set('fa', state(1));
    t.set('fb', state(2));
    t.patch(2, { endsAt: 99, severity: 'info', rawSeverity: 'P4', annotationsDigest: 7 });
    t.patch(3, { endsAt: 1 }); // not cached: nothing happens
    expect(t.get('fb')).toEqual(state(2, { endsAt: 99, severity: 'info', rawSeverity: 'P4', annotationsDigest: 7 }));
    t.deleteId(1);
    t.deleteFingerprint('fb');
    expect([t.get('fa'), t.get('fb')]).toEqual([undefined, undefined]);
    t.set('fc', state(3));
    t.set('fd', state(4));
    expect([t.get('fc'), t.get('fd')]).toEqual([state(3), state(4)]);
    t.patch(1, { endsAt: 1 }); // the old id no longer points at a reused row
    expect(t.get('fc')).toEqual(state(3));
  });

  it('a fingerprint set again replaces its row, and a full table starts over', () => {
    const t = new AlertStateTable(3);
    t.set('fa', state(1));
    t.set('fa', state(5));
    expect(t.get('fa')).toEqual(state(5));
    t.patch(1, { endsAt: 1 });
    expect(t.get('fa')).toEqual(state(5));
    t.set('fb', state(2));
    t.set('fc', state(3));
    t.set('fd', state(4)); // the fourth: the table was full
    expect([t.get('fa'), t.get('fb'), t.get('fc'), t.get('fd')]).toEqual([undefined, undefined, undefined, state(4)]);
  });

  it('grows past its first block of rows', () => {
    const t = new AlertStateTable(5_000);
    for (let i = 1; i <= 3_000; i++) t.set(`f${i}`, state(i));
    expect(t.get('f1')).toEqual(state(1));
    expect(t.get('f3000')).toEqual(state(3000));
  });
});
