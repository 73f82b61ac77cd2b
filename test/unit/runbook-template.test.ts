import { describe, expect, it } from 'vitest';
import { hostAllowed, parseHostEntry } from '../../src/runbooks/allow-list.js';
import { evaluateCondition, parseCondition } from '../../src/runbooks/condition.js';
import { compilePromqlTemplate, escapePromqlString, renderPromql } from '../../src/runbooks/promql-template.js';
import { SecretMask } from '../../src/runbooks/secrets.js';
import { parseCheckCondition } from '../../src/runbooks/steps/check-condition.js';
import { compileTemplate, render, renderText, RenderError, TemplateError, asHeaderValue, type RenderScope } from '../../src/runbooks/step-template.js';
import type { StepResult } from '../../src/runbooks/types.js';
import { compileUrlTemplate, renderUrl } from '../../src/runbooks/url-template.js';
import { alertWith } from '../fixtures/runbooks/support.js';

const scope = (labels: Record<string, string> = {}, steps: StepResult[] = [], env: Record<string, string> = {}): RenderScope => ({
  alert: alertWith(labels, { summary: 'Disk full' }),
  env,
  steps: new Map(steps.map((s) => [s.name, s])),
});
const step = (name: string, ok: boolean, extra: Partial<StepResult> = {}): StepResult => ({
  name,
  type: 'http',
  ok,
  status: ok ? 'succeeded' : 'failed',
  startedAt: 0,
  endedAt: 0,
  output: '',
  ...extra,
});

describe('templates', () => {
  it('renders labels, annotations, incident fields, env and step results', () => {
    const t = compileTemplate('{{labels.service}}|{{ annotations.summary }}|{{ incident.id }}|{{ env.T }}|{{ steps.a.ok }}|{{ steps.a.code }}');
    expect(renderText(t, scope({ service: 'checkout' }, [step('a', true, { code: 204 })], { T: 'tok' }))).toBe('checkout|Disk full|inc-1|tok|true|204');
  });

  it('rejects anything that is not a plain reference', () => {
    for (const bad of ['{{ labels }}', '{{ labels.a.b }}', '{{ constructor }}', '{{ labels["a"] }}', '{{ incident.secret }}', '{{ 1 + 1 }}', '{{ steps.a }}', 'x {{ unclosed']) {
      expect(() => compileTemplate(bad), bad).toThrow(TemplateError);
    }
  });

  it('strict rendering fails on a missing value; lenient leaves it empty', () => {
    const t = compileTemplate('svc-{{ labels.service }}');
    expect(() => render(t, scope(), (v) => v)).toThrow(new RenderError('labels.service is not set'));
    expect(renderText(t, scope())).toBe('svc-');
  });

  it('does not read inherited properties as labels', () => {
    expect(() => render(compileTemplate('{{ labels.toString }}'), scope(), (v) => v)).toThrow(RenderError);
  });

  it('a value is never parsed again', () => {
    expect(renderText(compileTemplate('{{ labels.a }}'), scope({ a: '{{ env.T }}' }, [], { T: 'secret' }))).toBe('{{ env.T }}');
  });

  it('header values refuse control characters but keep tabs and ordinary text', () => {
    const t = compileTemplate('{{ labels.a }}');
    expect(render(t, scope({ a: 'a\tb: c' }), asHeaderValue)).toBe('a\tb: c');
    for (const bad of ['a\r\nb', 'a\nb', 'a\rb', 'a\u0000', 'a\u007f']) expect(() => render(t, scope({ a: bad }), asHeaderValue)).toThrow(RenderError);
  });
});

describe('url templates', () => {
  it('percent-encodes values in the path and query and keeps the written origin', () => {
    const u = compileUrlTemplate('https://orchestrator.internal:8443/v1/{{ labels.a }}/x?q={{ labels.b }}&fixed=1');
    expect(u.contexts).toEqual(['path', 'query']);
    expect(renderUrl(u, scope({ a: 'a/b c', b: 'x&y=z#' })).href).toBe('https://orchestrator.internal:8443/v1/a%2Fb%20c/x?q=x%26y%3Dz%23&fixed=1');
  });

  it.each([
    'http://{{ labels.host }}/',
    'http://orchestrator{{ labels.port }}/',
    'http://orchestrator:{{ labels.port }}/',
    'http{{ labels.s }}://orchestrator/',
    '//orchestrator/x',
    'ftp://orchestrator/x',
    'http://orchestrator/x#{{ labels.a }}',
    'http://user:pass@orchestrator/',
  ])('refuses %s', (source) => {
    expect(() => compileUrlTemplate(source)).toThrow(TemplateError);
  });
});

describe('PromQL templates', () => {
  it('escapes for the quote the placeholder sits in', () => {
    expect(escapePromqlString('a"b\'c\\d\ne\u0001', '"')).toBe('a\\"b\'c\\\\d\\ne\\x01');
    expect(escapePromqlString('a"b\'c', "'")).toBe('a"b\\\'c');
    const q = compilePromqlTemplate(`up{job="{{ labels.a }}", env='{{ labels.b }}'} # {{ comment }}`.replace(' # {{ comment }}', ''));
    expect(q.quotes).toEqual(['"', "'"]);
    expect(renderPromql(q, scope({ a: '"}) or vector(1) #', b: "'" }))).toBe(`up{job="\\"}) or vector(1) #", env='\\''}`);
  });

  it('follows escaped quotes and comments while deciding where a placeholder is', () => {
    expect(compilePromqlTemplate('up{a="x\\"y", b="{{ labels.b }}"}').quotes).toEqual(['"']);
    expect(() => compilePromqlTemplate('up{a="x"} # "\nor {{ labels.b }}')).toThrow(/must be inside a quoted string/);
    expect(() => compilePromqlTemplate('up{a="x}')).toThrow(/unterminated/);
  });
});

describe('when conditions', () => {
  const s = scope({ severity: 'critical' }, [step('restart', true, { code: 200 }), step('check', false, { status: 'timed_out' })]);
  it.each([
    ['steps.restart.ok', true],
    ['!steps.check.ok', true],
    ['not steps.restart.ok', false],
    ['steps.check.status == "timed_out"', true],
    ["steps.check.status != 'timed_out'", false],
    ['steps.restart.code == 200', true],
    ['steps.restart.code == "200"', false],
    ['steps.restart.ok && steps.check.ok', false],
    ['steps.restart.ok and (steps.check.ok or labels.severity == "critical")', true],
    ['steps.check.ok || steps.restart.ok && false', false],
    ['!steps.check.ok && !(labels.severity != "critical")', true],
    ['labels.missing', false],
    ['labels.constructor', false],
    ['annotations.toString', false],
    ['steps.check.error', false],
  ])('%s → %s', (text, expected) => {
    expect(evaluateCondition(parseCondition(text), s)).toBe(expected);
  });

  it.each(['steps.a', 'steps.a.ok ==', 'steps.a.ok )', 'foo', 'steps.a.ok; process.exit()', 'labels.a = "b"', '`x`', ''])('refuses %j', (text) => {
    expect(() => parseCondition(text)).toThrow();
  });
});

describe('check conditions', () => {
  it('parses the supported forms', () => {
    expect(parseCheckCondition('result_nonempty')).toEqual({ kind: 'result_nonempty' });
    expect(parseCheckCondition(' == 1')).toMatchObject({ kind: 'compare', op: '==', value: 1 });
    expect(parseCheckCondition('< 0.5')).toMatchObject({ op: '<', value: 0.5 });
    expect(parseCheckCondition('>= -1e3')).toMatchObject({ op: '>=', value: -1000 });
    for (const bad of ['up == 1', '=> 1', '> x', '']) expect(() => parseCheckCondition(bad)).toThrow(/invalid condition/);
  });
});

describe('host allow-list', () => {
  it.each([
    ['http://orchestrator:8081/x', ['orchestrator:8081'], true],
    ['http://orchestrator:8082/x', ['orchestrator:8081'], false],
    ['http://orchestrator:8082/x', ['orchestrator'], true],
    ['http://ORCHESTRATOR/x', ['orchestrator:80'], true],
    ['https://orchestrator/x', ['orchestrator:80'], false],
    ['https://api.example.com/', ['*.example.com'], true],
    ['https://example.com/', ['*.example.com'], false],
    ['https://evilexample.com/', ['*.example.com'], false],
    ['http://127.1:8081/', ['127.0.0.1:8081'], true],
    ['http://[::1]:8081/', ['[::1]:8081'], true],
    ['http://orchestrator.evil.com/', ['orchestrator'], false],
  ])('%s with %j → %s', (url, list, expected) => {
    expect(hostAllowed(new URL(url), list)).toBe(expected);
  });

  it('reports entries that are not hosts', () => {
    for (const bad of ['http://h', 'h/x', 'user@h', 'h:99999', '*', 'a b']) expect(typeof parseHostEntry(bad), bad).toBe('string');
  });
});

describe('secret masking', () => {
  it('masks values and their URL, JSON and base64 forms, longest first, and leaves short values alone', () => {
    const mask = new SecretMask(['p@ss w"rd', 'abc', 'token-1', 'token-12345']);
    expect(mask.mask('a p@ss w"rd b')).toBe('a *** b');
    expect(mask.mask(`q=${encodeURIComponent('p@ss w"rd')}`)).toBe('q=***');
    expect(mask.mask(JSON.stringify({ x: 'p@ss w"rd' }))).toBe('{"x":"***"}');
    expect(mask.mask(Buffer.from('p@ss w"rd').toString('base64'))).toContain('***');
    expect(mask.mask('token-12345 token-1 abc')).toBe('*** *** abc');
  });

  it('masks the start of a secret at the end of text that was cut off', () => {
    const mask = new SecretMask(['s3cr3t-value']);
    expect(mask.maskCut('output … s3cr3t-v')).toBe('output … ***');
    expect(mask.maskCut('output ends cleanly')).toBe('output ends cleanly');
    expect(mask.mask('output … s3cr3t-v')).toBe('output … s3cr3t-v');
  });
});
