import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rulesJsonSchema } from '../../src/rules/json-schema.js';

const root = path.join(import.meta.dirname, '..', '..');
const schemaFile = path.join(root, 'docs', 'rules.schema.json');

type Node = { properties?: Record<string, Node>; items?: Node; required?: string[]; additionalProperties?: unknown };

describe('rules JSON Schema', () => {
  const committed = readFileSync(schemaFile, 'utf8');

  it('docs/rules.schema.json is up to date (run `npm run schema` after changing src/rules/schema.ts)', () => {
    expect(JSON.parse(committed)).toEqual(rulesJsonSchema());
    expect(committed).toBe(JSON.stringify(rulesJsonSchema(), null, 2) + '\n');
  });

  it('names itself', () => {
    const schema = rulesJsonSchema() as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toEqual(expect.any(String));
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.any(String));
  });

  it('describes the top-level sections and nothing else', () => {
    const schema = rulesJsonSchema() as Node;
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(['defaultTeam', 'escalation_policies', 'heartbeats', 'inhibit_rules', 'maintenance', 'people', 'policies', 'rules', 'schedules', 'teams']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required ?? []).toEqual([]);
  });

  it('offers each severity as a policies key', () => {
    const policies = (rulesJsonSchema() as Node).properties!.policies!;
    expect(Object.keys(policies.properties ?? {})).toEqual(['critical', 'warning', 'reminder', 'info']);
    expect(Object.keys(policies.properties!.critical!.properties ?? {})).toEqual(
      expect.arrayContaining(['priority', 'notify', 'ackSla', 'resolveSla', 'progressReminder', 'renotify', 'bundleWindow', 'digest']),
    );
    expect(policies.additionalProperties).toBe(false);
  });

  it('describes a rule: name, match, set and continue, with only name required (the input side)', () => {
    const rule = (rulesJsonSchema() as Node).properties!.rules!.items!;
    expect(Object.keys(rule.properties ?? {})).toEqual(expect.arrayContaining(['name', 'description', 'match', 'set', 'continue']));
    expect(rule.required).toEqual(['name']);
    expect(rule.additionalProperties).toBe(false);
    expect(Object.keys(rule.properties!.set!.properties ?? {})).toEqual(
      expect.arrayContaining(['severity', 'priority', 'team', 'service', 'title', 'groupBy', 'runbooks', 'policy']),
    );
  });

  it('describes inhibit rules', () => {
    const inhibit = (rulesJsonSchema() as Node).properties!.inhibit_rules!.items!;
    expect(Object.keys(inhibit.properties ?? {})).toEqual(expect.arrayContaining(['name', 'source_matchers', 'target_matchers', 'equal']));
  });

  it('is what the shipped rule files point their editors at', () => {
    const dir = path.join(root, 'rules');
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(readFileSync(path.join(dir, f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=../docs/rules.schema.json');
    }
  });
});
