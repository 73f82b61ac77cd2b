import { describe, expect, it } from 'vitest';
import { mapSeverity, moreUrgent, priorityOf } from '../../src/alerts/severity.js';

describe('mapSeverity', () => {
  it.each([
    ['critical', 'critical'],
    ['CRITICAL', 'critical'],
    ['page', 'critical'],
    ['high', 'critical'],
    ['error', 'critical'],
    ['warning', 'warning'],
    ['warn', 'warning'],
    ['reminder', 'reminder'],
    ['low', 'reminder'],
    ['info', 'info'],
    [' informational ', 'info'],
  ])('maps %s to %s', (raw, expected) => {
    expect(mapSeverity(raw)).toEqual({ severity: expected, known: true });
  });

  it('falls back to warning and says the value was unknown', () => {
    expect(mapSeverity('purple')).toEqual({ severity: 'warning', known: false });
    expect(mapSeverity(undefined)).toEqual({ severity: 'warning', known: false });
    expect(mapSeverity('')).toEqual({ severity: 'warning', known: false });
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])('treats %s as unknown, not as a member of every object', (raw) => {
    expect(mapSeverity(raw)).toEqual({ severity: 'warning', known: false });
  });

  it('gives the policy table priorities and orders by urgency', () => {
    expect(priorityOf).toEqual({ critical: 'P1', warning: 'P2', reminder: 'P3', info: 'P4' });
    expect(moreUrgent('warning', 'critical')).toBe('critical');
    expect(moreUrgent('info', 'reminder')).toBe('reminder');
  });
});
