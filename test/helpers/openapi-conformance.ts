import type { IncomingMessage, ServerResponse } from 'node:http';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import express, { type Express } from 'express';
import type { RequestListener } from '../../src/http/server.js';
import { errorHandler } from '../../src/http/app.js';
import { createLogger } from '../../src/observe/logger.js';
import { apiOperations, openApiOperation } from '../../src/app/api-operations.js';
import { configFileSchema, type Config } from '../../src/config/schema.js';
import { openApiDocument } from '../../src/http/openapi-document.js';

/**
 * Every answer an in-process Vigil gives in the HTTP tests is recorded and checked against its own OpenAPI
 * document (GET /api/openapi.json) when the test closes it: a route whose answers drift from the document, or
 * an /api route the document does not name, fails the test that met it.
 */

interface Recorded {
  method: string;
  path: string;
  status: number;
  type: string;
  body: Buffer | null;
}

type Json = Record<string, any>;

const MAX_CAPTURE = 8 * 1024 * 1024;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

/** Wraps a request listener so every answer it gives is recorded. */
export function recordAnswers(listener: RequestListener): { listener: RequestListener; answers: Recorded[] } {
  const answers: Recorded[] = [];
  const wrapped = (req: IncomingMessage, res: ServerResponse) => {
    // Read now: routers mounted on a prefix rewrite req.url while they run.
    const path = (req.url ?? '/').split('?')[0]!;
    const chunks: Buffer[] = [];
    let size = 0;
    const capture = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function' || size > MAX_CAPTURE) return;
      if (String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) return;
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
      size += buf.length;
      chunks.push(buf);
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      capture(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      capture(chunk, rest[0]);
      return end(chunk, ...rest);
    }) as typeof res.end;
    res.on('finish', () => {
      answers.push({
        method: req.method ?? 'GET',
        path,
        status: res.statusCode,
        type: String(res.getHeader('content-type') ?? ''),
        body: size > MAX_CAPTURE ? null : Buffer.concat(chunks),
      });
    });
    listener(req, res);
  };
  return { listener: wrapped, answers };
}

interface Route {
  method: string;
  pattern: RegExp;
  params: number;
  operation: Json;
  where: string;
}

class Checker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false });
  private readonly routes: Route[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Json) {
    addFormats(this.ajv);
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);
      for (const [method, operation] of Object.entries<Json>(item)) {
        this.routes.push({ method: method.toUpperCase(), pattern, params: (path.match(/\{/g) ?? []).length, operation, where: `${method.toUpperCase()} ${path}` });
      }
    }
    // A literal path wins over one with a parameter in the same place (/silences/preview before /silences/{id}).
    this.routes.sort((a, b) => a.params - b.params);
  }

  problem(a: Recorded): string | null {
    const method = a.method === 'HEAD' ? 'GET' : a.method;
    const found = this.routes.find((r) => r.method === method && r.pattern.test(a.path));
    const at = `${a.method} ${a.path} → ${a.status}`;
    if (!found) {
      // A request to no route is answered 404 by the catch-all; the console's pages and assets are not the API.
      const consolePart = a.path.startsWith('/assets/') || a.type.startsWith('text/html');
      return consolePart || a.status === 404 || a.status === 405 ? null : `${at}: no operation in the OpenAPI document`;
    }
    if (a.body === null) return `${at}: a body over ${MAX_CAPTURE} bytes, not checked`;
    if (a.status === 500 && a.type.startsWith('application/json') && a.body.includes('"code":"internal"')) return `${at}: an unexpected error (see the log)`;
    const responses = found.operation.responses as Json;
    const key = responses[String(a.status)] ? String(a.status) : responses.default && a.status >= 400 ? 'default' : null;
    if (!key) return `${at}: status ${a.status} is not among ${found.where}'s responses (${Object.keys(responses).join(', ')})`;
    const content = responses[key].content as Json | undefined;
    if (a.method === 'HEAD' || a.status === 204 || !content) {
      return content || a.method === 'HEAD' || a.status === 204 || !a.body?.length ? null : `${at}: a body where ${found.where} documents none`;
    }
    const match = Object.entries<Json>(content).find(([t]) => a.type.startsWith(t));
    if (!match) return `${at}: Content-Type ${a.type || '(none)'}, documented ${Object.keys(content).join(' or ')}`;
    const [type, media] = match;
    if (type !== 'application/json') return null;
    const id = `${found.where} ${key}`;
    let validate = this.validators.get(id);
    if (!validate) {
      validate = this.ajv.compile({ ...media.schema, components: this.doc.components });
      this.validators.set(id, validate);
    }
    let value: unknown;
    try {
      value = JSON.parse(a.body.toString('utf8'));
    } catch {
      return `${at}: the body is not JSON`;
    }
    if (validate(value)) return null;
    const e = validate.errors![0]!;
    return `${at}: ${e.instancePath || '(body)'} ${e.message} ${JSON.stringify(e.params)} (documented by ${found.where} ${key})`;
  }
}

const checkers = new Map<string, Checker>();

/** The answers that do not match the document, each said in a line. */
export function conformanceProblems(docText: string, answers: readonly Recorded[]): string[] {
  let checker = checkers.get(docText);
  if (!checker) {
    checker = new Checker(JSON.parse(docText) as Json);
    checkers.set(docText, checker);
  }
  const problems = new Set<string>();
  for (const a of answers) {
    const p = checker.problem(a);
    if (p) problems.add(p);
  }
  return [...problems];
}

/**
 * For tests that mount one router on a bare express app (the provider callbacks): its answers recorded, and
 * checked against the document of a default Vigil.
 */
export function checkedListener(app: Express): { listener: RequestListener; problems(): string[] } {
  // Errors end as Vigil's app ends them, in its error answer.
  const outer = express();
  outer.use(app);
  outer.use(errorHandler(createLogger('silent'), 1024 * 1024));
  const recorded = recordAnswers(outer);
  const config: Config = { ...configFileSchema.parse({}), auth: { ingestTokens: [], apiTokens: [] }, source: null };
  const doc = JSON.stringify(openApiDocument([...apiOperations(config), openApiOperation], { version: '0.0.0' }));
  return { listener: recorded.listener, problems: () => conformanceProblems(doc, recorded.answers) };
}
