import { describe, expect, it } from 'vitest';
import { isWebLink, webHref } from '../../src/alerts/web-link.js';
import { incidentLinks } from '../../src/notify/incident-links.js';

describe('web links', () => {
  it('only absolute http(s) URLs are links', () => {
    for (const bad of ['javascript:alert(1)', 'JavaScript:alert(1)', ' javascript:alert(1)', '\tjavascript:x', 'java\nscript:x', 'data:text/html,<b>', 'vbscript:x',
      '//evil.example/x', '/relative', 'https:evil', 'http://', 'mailto:a@b', '']) {
      expect(webHref(bad), bad).toBeNull();
    }
    expect(webHref('HTTPS://Grafana.example:3000/d/1?orgId=1&x=<y>')).toBe('https://grafana.example:3000/d/1?orgId=1&x=%3Cy%3E');
    expect(isWebLink('http://prometheus:9090/graph?g0.expr=up')).toBe(true);
    expect(isWebLink('javascript://comment%0aalert(1)')).toBe(false);
  });
});

describe('incidentLinks', () => {
  it('reads runbook_url and the alerts links, drops what is not http(s), and repeats nothing', () => {
    const links = incidentLinks([
      { annotations: { runbook_url: 'javascript:alert(1)' }, links: [{ href: 'javascript:alert(2)', text: 'Source' }, { href: 'https://grafana.example/d/1', text: 'Dashboard' }] },
      { annotations: { runbook_url: 'https://runbooks.example/disk' }, links: [{ href: 'https://grafana.example/d/1', text: 'Dashboard again' }] },
    ]);
    expect(links).toEqual([
      { href: 'https://grafana.example/d/1', text: 'Dashboard' },
      { href: 'https://runbooks.example/disk', text: 'Runbook' },
    ]);
  });

  it('shows at most eight', () => {
    const alerts = Array.from({ length: 12 }, (_, i) => ({ annotations: {}, links: [{ href: `https://x.example/${i}`, text: `${i}` }] }));
    expect(incidentLinks(alerts)).toHaveLength(8);
  });
});
