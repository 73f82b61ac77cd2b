import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startVigil, type TestVigil } from '../helpers/vigil.js';

/**
 * GET /api/openapi.json: a valid OpenAPI 3.1 document naming every route Vigil serves, written from the schemas
 * that validate the requests. (Every answer of every HTTP test is checked against it by test/helpers/vigil.ts.)
 */
const API = 'secret-api-token';
const INGEST = 'ingest-token';
/** The credential an operation asks for: the ingest token for the ingest doors, else the API token. */
const tokenFor = (op: any) => (JSON.stringify(op.security).includes('ingestToken') ? INGEST : API);
let v: TestVigil;
let doc: any;

beforeAll(async () => {
  v = await startVigil({ auth: { apiTokens: [API], ingestTokens: [INGEST] } });
  const res = await v.get('/api/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = await res.json();
});
afterAll(async () => v?.close());

type Op = { method: string; path: string; op: any };
const operations = (): Op[] =>
  Object.entries<any>(doc.paths).flatMap(([path, item]) => Object.entries<any>(item).map(([method, op]) => ({ method, path, op })));

/** The path with every parameter filled in (ids that do not exist). */
const concrete = (path: string) => path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'what' ? 'start' : name === 'file' ? 'en.js' : '999999'));

describe('the OpenAPI document', () => {
  it('is served without credentials and is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('gives every operation an id, a tag, a summary and its security, and names each id once', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(40);
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of ops) {
      expect(op.summary, `${method} ${path}`).toMatch(/\w/);
      expect(op.tags, `${method} ${path}`).toHaveLength(1);
      expect(Array.isArray(op.security), `${method} ${path}`).toBe(true);
      expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
    }
  });

  it('resolves every reference to a schema under components', () => {
    const refs = new Set<string>();
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) x.forEach(walk);
      else if (x && typeof x === 'object') {
        for (const [k, val] of Object.entries(x)) {
          if (k === '$ref') refs.add(val as string);
          else walk(val);
        }
      }
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(3);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
  });

  it('names only routes that exist: each one answers something other than the catch-all 404', async () => {
    for (const { method, path, op } of operations()) {
      const res = await fetch(v.url + concrete(path), {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${tokenFor(op)}`, accept: 'application/json', 'content-type': 'application/json', origin: v.url },
        ...(method === 'get' ? {} : { body: '{}' }),
      });
      const text = await res.text();
      expect(text, `${method.toUpperCase()} ${path}`).not.toContain('no route for');
    }
  });

  it("refuses what its schemas refuse: a query value outside a parameter's enum is a 400 naming that parameter", async () => {
    let checked = 0;
    for (const { method, path, op } of operations()) {
      if (method !== 'get') continue;
      for (const p of (op.parameters ?? []) as any[]) {
        if (p.in !== 'query' || !Array.isArray(p.schema?.enum)) continue;
        const res = await v.get(`${concrete(path)}?${p.name}=not-one-of-them`, { authorization: `Bearer ${tokenFor(op)}`, accept: 'application/json' });
        expect(res.status, `${path}?${p.name}`).toBe(400);
        const body = await res.json();
        const message = typeof body === 'string' ? body : body.error.message;
        expect(message, `${path}?${p.name}`).toContain(p.name);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('describes a request body with the schema that validates it: a required field left out is a 400 naming it', async () => {
    let checked = 0;
    for (const { method, path, op } of operations()) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const ref = schema?.$ref as string | undefined;
      const body = ref ? doc.components.schemas[ref.split('/').pop()!] : schema;
      const required = body?.type === 'object' ? (body.required as string[] | undefined) : undefined;
      if (!required?.length || !path.startsWith('/api/v1/') || path.includes('{')) continue;
      const res = await fetch(v.url + path, {
        method: method.toUpperCase(),
        headers: { authorization: `Bearer ${tokenFor(op)}`, 'content-type': 'application/json', origin: v.url },
        body: '{}',
      });
      expect(res.status, `${method.toUpperCase()} ${path}`).toBe(400);
      expect(JSON.stringify(await res.json()), `${method.toUpperCase()} ${path}`).toContain(required[0]);
      checked++;
    }
    expect(checked).toBeGreaterThan(2);
  });
});
