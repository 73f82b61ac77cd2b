import { z } from 'zod';

/** Schemas named for the document; their own registry, so naming one never changes another document zod writes (rules.schema.json). */
export const apiSchemas = z.registry<{ id: string; description?: string }>();

/** Names a schema for the document (Incident, Alert, Silence…): it appears once under components.schemas and is referenced. */
export function named<S extends z.ZodType>(id: string, schema: S, description?: string): S {
  apiSchemas.add(schema, description === undefined ? { id } : { id, description });
  return schema;
}

/** An RFC 3339 time as the API writes it (UTC, milliseconds). */
export const isoTime = z.iso.datetime().describe('RFC 3339 time (UTC)');
/** The same, or null when it has not happened. */
export const isoTimeOrNull = isoTime.nullable();

/** A field problem of a 400: which field and what is wrong with it. */
export const fieldProblem = z.object({ field: z.string(), problem: z.string() });

/** A problem of a rules or runbooks file (a reload refused): where it is and what. */
export const configProblem = z.object({
  file: z.string(),
  line: z.number().int().nullable(),
  column: z.number().int().nullable(),
  field: z.string().nullable(),
  problem: z.string(),
});

/** Vigil's error answer: `{"error": {"code", "message", "details"}}`. */
export const errorAnswer = named(
  'Error',
  z.object({
    error: z.object({
      code: z.enum(['bad_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'payload_too_large', 'unsupported_media_type', 'too_many_requests', 'unavailable', 'invalid_config', 'internal']),
      message: z.string(),
      details: z.union([z.array(fieldProblem), z.array(configProblem), z.null()]),
    }),
  }),
  'Every error Vigil answers: 400 names the field, 503 comes with Retry-After.',
);

export const labelSet = z.record(z.string(), z.string());
