import { describe, expect, it } from 'vitest';
import { render } from '../../src/notify/render.js';
import type { IncidentSummary } from '../../src/notify/types.js';

const base: IncidentSummary = {
  id: 7,
  title: 'Checkout <down>',
  status: 'acknowledged',
  severity: 'critical',
  priority: 'P1',
  team: 'platform',
  service: 'checkout',
  createdAt: Date.UTC(2026, 10, 22, 16, 30),
  acknowledgedBy: 'bob',
  resolvedBy: null,
  alertCount: 1,
  links: [],
  details: [],
};

describe('progress report', () => {
  it('tells how long the incident has been open and the latest updates, newest first, in text and HTML', () => {
    const r = render('reminder', {
      ...base,
      progress: {
        openForMs: 90 * 60_000,
        updates: [
          { at: Date.UTC(2026, 10, 22, 17, 45), by: 'bob', text: 'rolled back <v2>' },
          { at: Date.UTC(2026, 10, 22, 17, 10), by: 'vigil', text: 'runbook restart-service succeeded' },
        ],
      },
    });
    expect(r.subject).toBe('[P1 STILL OPEN] #7 Checkout <down>');
    expect(r.text).toContain('Open for 1h30m. Please post an update');
    expect(r.text).toContain('Latest updates:\n- 17:45 UTC bob: rolled back <v2>\n- 17:10 UTC vigil: runbook restart-service succeeded');
    expect(r.html).toContain('17:45 UTC bob: rolled back &lt;v2&gt;');
  });

  it('says so when nobody has posted anything, and pages carry no progress lines', () => {
    expect(render('reminder', { ...base, progress: { openForMs: 30 * 60_000, updates: [] } }).text).toContain('Open for 30m. Please post an update (reply to this message or add a note).\nNo updates yet.');
    expect(render('page', base).text).not.toContain('Open for');
  });

  it('a page carries what runbooks tried', () => {
    const r = render('page', { ...base, status: 'triggered', remediation: ['runbook scale failed (step scale failed: HTTP 500)'] });
    expect(r.text).toContain('Auto-remediation:\n- runbook scale failed (step scale failed: HTTP 500)');
    expect(r.html).toContain('<li>runbook scale failed (step scale failed: HTTP 500)</li>');
  });
});
