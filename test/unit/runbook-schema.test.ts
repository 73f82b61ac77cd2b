import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runbooksJsonSchema } from '../../src/runbooks/json-schema.js';

const root = path.join(import.meta.dirname, '..', '..');
const schemaFile = path.join(root, 'docs', 'runbooks.schema.json');

type Node = { properties?: Record<string, Node>; items?: Node; anyOf?: Node[]; oneOf?: Node[]; required?: string[]; additionalProperties?: unknown; const?: unknown };

describe('runbooks JSON Schema', () => {
  const committed = readFileSync(schemaFile, 'utf8');

  it('docs/runbooks.schema.json is up to date (run `npm run build && node scripts/write-runbooks-schema.js` after changing src/runbooks/schema.ts)', () => {
    expect(JSON.parse(committed)).toEqual(runbooksJsonSchema());
    expect(committed).toBe(JSON.stringify(runbooksJsonSchema(), null, 2) + '\n');
  });

  it('names itself', () => {
    const schema = runbooksJsonSchema() as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('urn:vigil:schema:runbook-file');
    expect(schema.title).toEqual(expect.any(String));
  });

  it('describes the top-level fields and nothing else', () => {
    const schema = runbooksJsonSchema() as Node;
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(
      ['allow_commands', 'allow_hosts', 'concurrency', 'description', 'dry_run', 'env', 'name', 'rate_limit', 'steps'].sort(),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['name', 'steps']);
  });

  it('offers each step type with its own fields, closed to unknown ones', () => {
    const steps = (runbooksJsonSchema() as Node).properties!.steps!.items!;
    const variants = steps.oneOf ?? steps.anyOf ?? [];
    const byType = Object.fromEntries(variants.map((v) => [String(v.properties!.type!.const), v]));
    expect(Object.keys(byType)).toEqual(['http', 'command', 'check', 'wait', 'notify', 'approve']);
    for (const v of variants) {
      expect(v.additionalProperties).toBe(false);
      expect(Object.keys(v.properties ?? {})).toEqual(expect.arrayContaining(['name', 'type', 'timeout', 'on_failure', 'when']));
    }
    expect(Object.keys(byType.http!.properties!)).toEqual(expect.arrayContaining(['method', 'url', 'headers', 'body', 'expect_status']));
    expect(Object.keys(byType.command!.properties!)).toEqual(expect.arrayContaining(['command', 'args', 'env', 'cwd', 'kill_grace']));
    expect(Object.keys(byType.check!.properties!)).toEqual(expect.arrayContaining(['query', 'condition', 'retries', 'interval']));
    expect(byType.check!.properties!.interval).toMatchObject({ type: 'string', default: '10s' });
  });

  it('is what the shipped runbook files point their editors at', () => {
    const dir = path.join(root, 'runbooks');
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.sort()).toEqual(['disk-cleanup.yaml', 'restart-service.yaml', 'scale-up.yaml']);
    for (const f of files) {
      expect(readFileSync(path.join(dir, f), 'utf8').split('\n')[0], f).toBe('# yaml-language-server: $schema=../docs/runbooks.schema.json');
    }
  });
});
