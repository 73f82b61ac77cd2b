import { z } from 'zod';
import { runbookFileSchema } from './schema.js';

/** The schema's identity; editors find the file itself through the comment at the top of each runbook file. */
export const runbooksSchemaId = 'urn:vigil:schema:runbook-file';

/**
 * JSON Schema (draft-07) for one runbooks/*.yaml file, describing what may be written (durations as text,
 * defaults optional). Checks that need code — templates, allow-lists, references to earlier steps — are
 * left to Vigil itself (`vigil check-config`).
 */
export function runbooksJsonSchema(): object {
  const generated = z.toJSONSchema(runbookFileSchema(), { target: 'draft-07', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: runbooksSchemaId,
    title: 'Vigil runbook file',
    description:
      'One runbook under runbooks/: typed steps (http, command, check, wait, notify, approve) run in order for an alert, with guards (dry run, concurrency, rate limit per target) and allow-lists. Rules refer to it by name in set.runbooks.',
    ...rest,
  };
}
