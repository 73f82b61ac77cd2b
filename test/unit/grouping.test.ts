import { describe, expect, it } from 'vitest';
import { groupKeyOf, titleOf } from '../../src/rules/grouping.js';

describe('groupKeyOf', () => {
  const by = ['alertname', ['service', 'job']];
  it('uses alertname and service', () => {
    expect(groupKeyOf({ alertname: 'A', service: 's', job: 'j', instance: 'i' }, by)).toBe('{alertname="A",service="s"}');
  });
  it('falls back to job when there is no service', () => {
    expect(groupKeyOf({ alertname: 'A', job: 'j' }, by)).toBe('{alertname="A",job="j"}');
  });
  it('skips labels that are missing or empty, whole entries too, without a stray comma', () => {
    expect(groupKeyOf({ alertname: '', service: '', job: 'j' }, by)).toBe('{job="j"}');
    expect(groupKeyOf({ instance: 'i' }, by)).toBe('{}');
    expect(groupKeyOf({ alertname: 'A', service: 's' }, [])).toBe('{}');
  });
  it('keeps values that contain separators apart', () => {
    expect(groupKeyOf({ alertname: 'a",service="b' }, by)).not.toBe(groupKeyOf({ alertname: 'a', service: 'b' }, by));
  });
});

describe('titleOf', () => {
  it('prefers the summary annotation', () => {
    expect(titleOf({ labels: { alertname: 'A' }, annotations: { summary: 'Disk full' } })).toBe('Disk full');
  });
  it('otherwise names the alert and where it fires', () => {
    expect(titleOf({ labels: { alertname: 'A', service: 'api' }, annotations: {} })).toBe('A on api');
  });
});
