import { z } from 'zod';
import { apiSchemas, errorAnswer } from './api-schemas.js';
import type { Access, Answer, ErrorShape, Operation } from './operation.js';

/**
 * The OpenAPI 3.1 document of Vigil's HTTP API, generated from the operations the routes mount (their zod
 * schemas validate the requests): nothing in it is written beside the code.
 */

type Json = Record<string, unknown>;

const COMPONENTS = '#/components/schemas/';

const security: Record<Access, Json[]> = {
  api: [{ bearerToken: [] }, { basicToken: [] }, { session: [] }],
  ingest: [{ ingestToken: [] }, {}],
  public: [],
  'routing-key': [],
  'ping-key': [],
  'twilio-signature': [],
  'slack-signature': [],
  'vonage-signature': [],
  'signed-link': [],
};

const accessNote: Partial<Record<Access, string>> = {
  ingest: 'Needs an ingest token (VIGIL_INGEST_TOKEN) when one is configured.',
  'routing-key': 'The PagerDuty routing key in the body authenticates the event.',
  'ping-key': "The monitor's secret ping key in the path authenticates the ping.",
  'twilio-signature': 'Twilio calls this; its X-Twilio-Signature is checked against VIGIL_TWILIO_AUTH_TOKEN.',
  'slack-signature': 'Slack calls this; its X-Slack-Signature is checked against VIGIL_SLACK_SIGNING_SECRET.',
  'vonage-signature': "Vonage calls this; its signed JWT is checked against the Vonage signature secret.",
  'signed-link': 'The link itself is signed and expires; no other credential.',
};

const errorSchemas: Record<Exclude<ErrorShape, 'none'>, z.ZodType> = {
  vigil: errorAnswer,
  // Alertmanager's own routes answer the message as a JSON string; a refused credential or body, or an
  // unexpected failure, is answered before or after them in Vigil's envelope.
  alertmanager: z.union([z.string().describe("Alertmanager's error: the message as a JSON string"), errorAnswer]),
  pagerduty: errorAnswer.extend({
    status: z.string().optional(),
    message: z.string().optional(),
    errors: z.array(z.string()).optional(),
  }),
};

/** Converts schemas one at a time, collecting the named ones under components once. */
class SchemaWriter {
  readonly components: Record<string, Json> = {};

  write(schema: z.ZodType, io: 'input' | 'output'): Json {
    const out = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      target: 'draft-2020-12',
      metadata: apiSchemas,
      // Names come from apiSchemas; fields' .describe() texts live in zod's global registry.
      override: ({ zodSchema, jsonSchema }) => {
        const description = z.globalRegistry.get(zodSchema as unknown as z.ZodType)?.description;
        if (description && jsonSchema.description === undefined) jsonSchema.description = description;
      },
    }) as Json;
    delete out.$schema;
    const defs = (out.$defs ?? {}) as Record<string, Json>;
    delete out.$defs;
    // A named schema comes back as a reference to its own entry.
    for (const [id, def] of Object.entries(defs)) this.add(id, retarget(def) as Json);
    return retarget(out) as Json;
  }

  private add(id: string, def: Json): void {
    delete def.id;
    const known = this.components[id];
    if (known && JSON.stringify(known) !== JSON.stringify(def)) {
      throw new Error(`OpenAPI: schema ${id} differs between its uses (a transform or default read once as input, once as output?)`);
    }
    this.components[id] = def;
  }
}

/** zod writes references to #/$defs/X; the document keeps them under components. */
function retarget(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(retarget);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? COMPONENTS + v.slice('#/$defs/'.length) : retarget(v);
  }
  return out;
}

/** `/api/v1/incidents/:id` → `/api/v1/incidents/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

function parameters(op: Operation, writer: SchemaWriter): Json[] {
  const out: Json[] = [];
  for (const [, name] of op.path.matchAll(/:(\w+)/g)) {
    const given = op.params?.[name!];
    out.push({ name, in: 'path', required: true, schema: given ? writer.write(given, 'input') : { type: 'string' } });
  }
  if (op.query) {
    const shape = writer.write(op.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(shape.properties ?? {})) {
      const { description, ...rest } = schema;
      out.push({ name, in: 'query', required: shape.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest });
    }
  }
  return out;
}

function answer(a: Answer, writer: SchemaWriter): Json {
  const content: Json = {};
  if (a.schema) content[a.type ?? 'application/json'] = { schema: writer.write(a.schema, 'output') };
  else if (a.type) content[a.type] = { schema: { type: 'string' } };
  for (const type of a.also ?? []) content[type] = { schema: { type: 'string' } };
  return Object.keys(content).length ? { description: a.description, content } : { description: a.description };
}

function operationObject(op: Operation, writer: SchemaWriter): Json {
  const responses: Json = {};
  for (const [status, a] of Object.entries(op.responses)) responses[status] = answer(a, writer);
  const errors = op.errors ?? 'vigil';
  if (errors !== 'none') {
    responses.default = { description: 'An error: 4xx for the request, 5xx for Vigil (503 with Retry-After: the sender retries)', content: { 'application/json': { schema: writer.write(errorSchemas[errors], 'output') } } };
  }
  const params = parameters(op, writer);
  const note = accessNote[op.access];
  const description = [op.description, note].filter(Boolean).join('\n\n');
  return {
    operationId: op.id,
    tags: [op.tag],
    summary: op.summary,
    ...(description ? { description } : {}),
    security: security[op.access],
    ...(params.length ? { parameters: params } : {}),
    ...(op.body
      ? { requestBody: { required: !op.bodyOptional, content: { [op.bodyType ?? 'application/json']: { schema: writer.write(op.body, 'input') } } } }
      : op.bodyType
        ? { requestBody: { required: false, content: { [op.bodyType]: { schema: { type: 'string' } } } } }
        : {}),
    responses,
  };
}

export function openApiDocument(operations: readonly Operation[], info: { version: string }): Json {
  const writer = new SchemaWriter();
  const paths: Record<string, Json> = {};
  const ids = new Set<string>();
  for (const op of operations) {
    if (ids.has(op.id)) throw new Error(`OpenAPI: operation id ${op.id} is declared twice`);
    ids.add(op.id);
    const path = (paths[openApiPath(op.path)] ??= {});
    if (path[op.method]) throw new Error(`OpenAPI: ${op.method.toUpperCase()} ${op.path} is declared twice`);
    path[op.method] = operationObject(op, writer);
  }
  const tags = [...new Set(operations.map((o) => o.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil',
      version: info.version,
      description: 'Alerting and auto-response: alerts from Alertmanager, Prometheus, Grafana and PagerDuty-style senders become incidents that page people until someone acknowledges.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags,
    paths,
    components: {
      schemas: writer.components,
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer', description: 'The API token (VIGIL_API_TOKEN) or a personal token.' },
        basicToken: { type: 'http', scheme: 'basic', description: 'Any user name; the API token or a personal token as the password (Grafana, amtool).' },
        session: { type: 'apiKey', in: 'cookie', name: 'vigil_session', description: "The console's session after POST /api/v1/session." },
        ingestToken: { type: 'http', scheme: 'bearer', description: 'An ingest token (VIGIL_INGEST_TOKEN); bearer, or the password of basic auth.' },
      },
    },
  };
}
