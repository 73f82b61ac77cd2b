import { describe, expect, it } from 'vitest';
import { shouldPage, type PageFacts } from '../../src/incidents/should-page.js';

const now = Date.parse('2026-11-23T10:00:00Z');
const due: PageFacts = { status: 'triggered', pagedAt: null, firingCount: 2, suppressedCount: 0, holdUntil: null };

describe('shouldPage', () => {
  it('pages a triggered cycle that was not paged yet and has an alert that is not suppressed', () => {
    expect(shouldPage(due, now)).toBe(true);
    expect(shouldPage({ ...due, suppressedCount: 1 }, now)).toBe(true);
  });
  it('pages a cycle once', () => {
    expect(shouldPage({ ...due, pagedAt: now - 1 }, now)).toBe(false);
  });
  it('pages nobody once someone acknowledged or it resolved', () => {
    expect(shouldPage({ ...due, status: 'acknowledged' }, now)).toBe(false);
    expect(shouldPage({ ...due, status: 'resolved' }, now)).toBe(false);
  });
  it('pages nobody while every firing alert is suppressed, or none fires', () => {
    expect(shouldPage({ ...due, suppressedCount: 2 }, now)).toBe(false);
    expect(shouldPage({ ...due, firingCount: 0 }, now)).toBe(false);
  });
  it('waits while a runbook hold runs, and pages when it has run out', () => {
    expect(shouldPage({ ...due, holdUntil: now + 1 }, now)).toBe(false);
    expect(shouldPage({ ...due, holdUntil: now }, now)).toBe(true);
    expect(shouldPage({ ...due, holdUntil: now - 1 }, now)).toBe(true);
  });
});
