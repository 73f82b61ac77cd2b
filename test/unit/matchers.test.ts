import { describe, expect, it } from 'vitest';
import {
  MatcherError,
  compileMatcher,
  formatMatcher,
  matchesAll,
  parseMatcher,
  parseMatchers,
  type Matcher,
} from '../../src/rules/matchers.js';

const compiled = (text: string) => compileMatcher(parseMatcher(text));

function errorOf(fn: () => unknown): MatcherError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MatcherError);
    return err as MatcherError;
  }
  throw new Error('expected a MatcherError');
}

describe('parseMatcher', () => {
  it.each<[string, Matcher]>([
    ['severity="critical"', { name: 'severity', op: '=', value: 'critical' }],
    ['severity!="info"', { name: 'severity', op: '!=', value: 'info' }],
    ['instance=~"web-.*"', { name: 'instance', op: '=~', value: 'web-.*' }],
    ['env!~"dev|test"', { name: 'env', op: '!~', value: 'dev|test' }],
  ])('parses %s', (text, expected) => expect(parseMatcher(text)).toEqual(expected));

  it('accepts unquoted values, trimmed', () => {
    expect(parseMatcher('severity=critical')).toEqual({ name: 'severity', op: '=', value: 'critical' });
    expect(parseMatcher('env!~dev|test')).toEqual({ name: 'env', op: '!~', value: 'dev|test' });
    expect(parseMatcher('job =  node exporter  ')).toEqual({ name: 'job', op: '=', value: 'node exporter' });
  });

  it('ignores whitespace around the name, operator and value', () => {
    expect(parseMatcher('  team  !=  "db"  ')).toEqual({ name: 'team', op: '!=', value: 'db' });
  });

  it('accepts an empty value, quoted or not', () => {
    expect(parseMatcher('team=""')).toEqual({ name: 'team', op: '=', value: '' });
    expect(parseMatcher('team!=')).toEqual({ name: 'team', op: '!=', value: '' });
  });

  it('unescapes quoted values', () => {
    expect(parseMatcher(String.raw`msg="say \"hi\""`).value).toBe('say "hi"');
    expect(parseMatcher(String.raw`path="C:\\temp"`).value).toBe('C:\\temp');
    expect(parseMatcher(String.raw`text="line1\nline2"`).value).toBe('line1\nline2');
    // A backslash before any other character is literal, as in Alertmanager (handy in regexes).
    expect(parseMatcher(String.raw`code=~"\d+"`).value).toBe(String.raw`\d+`);
  });

  it('keeps commas, braces and operators inside quoted values', () => {
    expect(parseMatcher('summary="a, b {c} = d"').value).toBe('a, b {c} = d');
  });

  it('accepts annotations.<name>', () => {
    expect(parseMatcher('annotations.summary=~".*disk.*"')).toEqual({
      name: 'annotations.summary',
      op: '=~',
      value: '.*disk.*',
    });
  });

  it.each(['foo-bar="x"', '1abc="x"', 'labels.foo="x"', 'annotations.="x"', 'a.b="x"', '"quoted"="x"'])(
    'rejects the name in %s',
    (text) => {
      const err = errorOf(() => parseMatcher(text));
      expect(err.message).toMatch(/invalid label name/);
      expect(err.message).toContain(JSON.stringify(text));
    },
  );

  it('rejects a missing name', () => {
    expect(errorOf(() => parseMatcher('="x"')).message).toMatch(/missing label name/);
  });

  it.each(['severity~critical', 'severity', 'severity<>"x"', 'severity!"x"'])('rejects the operator in %s', (text) => {
    expect(errorOf(() => parseMatcher(text)).message).toBe(
      `invalid matcher ${JSON.stringify(text)}: expected one of =, !=, =~, !~`,
    );
  });

  it('rejects an invalid regex, naming the matcher', () => {
    const err = errorOf(() => parseMatcher('instance=~"("'));
    expect(err.message).toMatch(/^invalid regex in matcher instance=~"\(": /);
  });

  it('rejects unterminated quoted values', () => {
    const err = errorOf(() => parseMatcher('summary="disk full'));
    expect(err.message).toMatch(/^unterminated quoted value in matcher /);
    expect(err.message).toContain('disk full');
    expect(errorOf(() => parseMatcher(String.raw`summary="ends with escaped quote\"`)).message).toMatch(/unterminated/);
  });

  it('rejects text after a quoted value and stray quotes in unquoted values', () => {
    expect(errorOf(() => parseMatcher('a="b" c')).message).toMatch(/unexpected "c" after the value/);
    expect(errorOf(() => parseMatcher('a=b"c"')).message).toMatch(/unexpected '"' in unquoted value/);
  });

  it('rejects a second matcher; that is what parseMatchers is for', () => {
    expect(errorOf(() => parseMatcher('a=b, c=d')).message).toMatch(/unexpected ','/);
  });
});

describe('parseMatchers', () => {
  const expected: Matcher[] = [
    { name: 'a', op: '=', value: 'b' },
    { name: 'c', op: '=~', value: 'd' },
  ];

  it.each([
    '{a="b", c=~"d"}',
    'a="b", c=~"d"',
    'a=b,c=~d',
    '{a=b,c=~d}',
    '{a="b", c=~"d",}',
    'a="b", c=~"d",',
    '  {  a = "b" ,\n\t c =~ "d" , }  ',
  ])('parses %j', (text) => expect(parseMatchers(text)).toEqual(expected));

  it.each(['', '   ', '{}', ' { } '])('parses %j as an empty list', (text) => {
    expect(parseMatchers(text)).toEqual([]);
  });

  it('does not split on commas or braces inside quotes', () => {
    expect(parseMatchers(String.raw`{quote="She said: \"Hi, all}\"", team="a,b"}`)).toEqual([
      { name: 'quote', op: '=', value: 'She said: "Hi, all}"' },
      { name: 'team', op: '=', value: 'a,b' },
    ]);
  });

  it('accepts annotations.<name> alongside labels', () => {
    expect(parseMatchers('severity=critical, annotations.runbook!=""')).toEqual([
      { name: 'severity', op: '=', value: 'critical' },
      { name: 'annotations.runbook', op: '!=', value: '' },
    ]);
  });

  it('names the offending matcher in errors', () => {
    expect(errorOf(() => parseMatchers('a="b", severity~critical, c="d"')).message).toBe(
      'invalid matcher "severity~critical": expected one of =, !=, =~, !~',
    );
    expect(errorOf(() => parseMatchers('{a="b", instance=~"("}')).message).toMatch(
      /^invalid regex in matcher instance=~"\(": /,
    );
    expect(errorOf(() => parseMatchers('{a="b", c="d}')).message).toMatch(/^unterminated quoted value in matcher /);
    expect(errorOf(() => parseMatchers('a="b", bad-name="x"')).message).toMatch(
      /invalid matcher "bad-name=\\"x\\"": invalid label name "bad-name"/,
    );
  });

  it('rejects empty entries and unbalanced braces', () => {
    expect(errorOf(() => parseMatchers('a=b,,c=d')).message).toMatch(/empty matcher/);
    expect(errorOf(() => parseMatchers(',')).message).toMatch(/empty matcher/);
    expect(errorOf(() => parseMatchers('{a=b')).message).toMatch(/missing closing '}'/);
    expect(errorOf(() => parseMatchers('a=b}')).message).toMatch(/unexpected '}' without an opening '{'/);
    expect(errorOf(() => parseMatchers('{a=b} c=d')).message).toMatch(/after the closing '}'/);
  });
});

describe('compileMatcher', () => {
  it('= is exact equality', () => {
    const m = compiled('severity="critical"');
    expect(m.matches('critical')).toBe(true);
    expect(m.matches('Critical')).toBe(false);
    expect(m.matches('critical ')).toBe(false);
  });

  it('!= is inequality', () => {
    const m = compiled('severity!="info"');
    expect(m.matches('critical')).toBe(true);
    expect(m.matches('info')).toBe(false);
  });

  it('=~ matches the whole value', () => {
    expect(compiled('instance=~"web"').matches('web-1')).toBe(false);
    expect(compiled('instance=~"web"').matches('web')).toBe(true);
    expect(compiled('instance=~"web.*"').matches('web-1')).toBe(true);
    expect(compiled('instance=~".*-1"').matches('web-1')).toBe(true);
    expect(compiled('instance=~"eb-"').matches('web-1')).toBe(false);
  });

  it('anchors the whole alternation, not just its ends', () => {
    const m = compiled('severity=~"warning|critical"');
    expect(m.matches('warning')).toBe(true);
    expect(m.matches('critical')).toBe(true);
    expect(m.matches('warning2')).toBe(false);
    expect(m.matches('xcritical')).toBe(false);
  });

  it('!~ is the negation of the anchored regex', () => {
    const m = compiled('env!~"dev|test"');
    expect(m.matches('prod')).toBe(true);
    expect(m.matches('dev')).toBe(false);
    expect(m.matches('development')).toBe(true);
  });

  it('treats a missing label as the empty string', () => {
    expect(compiled('team=""').matches(undefined)).toBe(true);
    expect(compiled('team!=""').matches(undefined)).toBe(false);
    expect(compiled('team!=""').matches('db')).toBe(true);
    expect(compiled('team="db"').matches(undefined)).toBe(false);
    expect(compiled('team!="db"').matches(undefined)).toBe(true);
    expect(compiled('team=~".*"').matches(undefined)).toBe(true);
    expect(compiled('team=~".+"').matches(undefined)).toBe(false);
    expect(compiled('team!~".+"').matches(undefined)).toBe(true);
  });

  it('is reusable: repeated calls give the same answer', () => {
    const m = compiled('instance=~"web-\\d+"');
    expect([m.matches('web-1'), m.matches('web-1'), m.matches('web-x'), m.matches('web-22')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it('keeps the matcher fields', () => {
    const m = compiled('env!~"dev|test"');
    expect({ name: m.name, op: m.op, value: m.value }).toEqual({ name: 'env', op: '!~', value: 'dev|test' });
  });

  it('rejects an invalid regex, naming the matcher', () => {
    const err = errorOf(() => compileMatcher({ name: 'instance', op: '=~', value: '(' }));
    expect(err.message).toMatch(/^invalid regex in matcher instance=~"\(": /);
  });

  it('rejects bad names and operators in matchers built by hand', () => {
    expect(errorOf(() => compileMatcher({ name: 'bad-name', op: '=', value: 'x' })).message).toMatch(
      /invalid label name "bad-name"/,
    );
    const op = '==' as Matcher['op'];
    expect(errorOf(() => compileMatcher({ name: 'a', op, value: 'x' })).message).toMatch(
      /invalid operator "==".*expected one of =, !=, =~, !~/,
    );
  });
});

describe('matchesAll', () => {
  const labels: Record<string, string> = { alertname: 'DiskFull', severity: 'critical', instance: 'db-3' };
  const annotations: Record<string, string> = { summary: 'disk /var is full' };
  const get = (name: string): string | undefined =>
    name.startsWith('annotations.') ? annotations[name.slice('annotations.'.length)] : labels[name];
  const all = (text: string) => matchesAll(parseMatchers(text).map(compileMatcher), get);

  it('requires every matcher to match', () => {
    expect(all('{alertname="DiskFull", severity=~"warning|critical", instance!~"web-.*"}')).toBe(true);
    expect(all('{alertname="DiskFull", severity="warning"}')).toBe(false);
    expect(all('{alertname="DiskFull", team!=""}')).toBe(false);
    expect(all('{alertname="DiskFull", team=""}')).toBe(true);
  });

  it('matches annotations through the annotations. prefix', () => {
    expect(all('annotations.summary=~".*full.*", severity=critical')).toBe(true);
    expect(all('annotations.summary=~"full"')).toBe(false);
    expect(all('annotations.runbook=""')).toBe(true);
  });

  it('an empty list matches everything', () => {
    expect(matchesAll([], get)).toBe(true);
    expect(matchesAll([], () => undefined)).toBe(true);
  });
});

describe('formatMatcher', () => {
  it('quotes and escapes the value', () => {
    expect(formatMatcher({ name: 'severity', op: '=~', value: 'warning|critical' })).toBe('severity=~"warning|critical"');
    expect(formatMatcher({ name: 'msg', op: '=', value: 'say "hi"\nC:\\temp' })).toBe(String.raw`msg="say \"hi\"\nC:\\temp"`);
  });

  it.each<Matcher>([
    { name: 'severity', op: '=', value: 'critical' },
    { name: 'team', op: '!=', value: '' },
    { name: 'instance', op: '=~', value: String.raw`web-\d+\.example\.com` },
    { name: 'env', op: '!~', value: 'dev|test' },
    { name: 'annotations.summary', op: '=', value: 'a, b {c} "d" \\ e\nf' },
    { name: 'path', op: '=', value: 'ends with backslash \\' },
  ])('round-trips %j through parseMatcher', (m) => {
    expect(parseMatcher(formatMatcher(m))).toEqual(m);
    expect(parseMatchers(`{${formatMatcher(m)}, x="y"}`)[0]).toEqual(m);
  });
});
