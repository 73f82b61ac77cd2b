import { z } from 'zod';
import { rulesFileSchema } from './schema.js';

/** The schema's identity; editors find the file itself through the comment at the top of each rule file. */
export const rulesSchemaId = 'urn:vigil:schema:rules-file';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A record keyed by an enum (the policies per severity) comes out as `propertyNames` + `additionalProperties`,
 * which editors validate but do not offer as completions; spelled out as properties, each key is suggested.
 */
function spellOutEnumKeys(json: JsonObject): void {
  const names = json.propertyNames;
  const value = json.additionalProperties;
  if (!isObject(names) || !Array.isArray(names.enum) || !isObject(value)) return;
  json.properties = Object.fromEntries(names.enum.map((key) => [String(key), value]));
  json.additionalProperties = false;
  delete json.propertyNames;
}

/**
 * JSON Schema (draft-07, the draft YAML and JSON language servers support best) for one rules/*.yaml file,
 * describing what may be written (the input side: durations and matchers as text, defaults optional).
 * Checks that need code, such as whether a regex compiles or a duration parses, are left to Vigil itself.
 */
export function rulesJsonSchema(): object {
  const generated = z.toJSONSchema(rulesFileSchema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => spellOutEnumKeys(jsonSchema as JsonObject),
  }) as JsonObject;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: rulesSchemaId,
    title: 'Vigil rules file',
    description:
      'One file under rules/: policies per severity, rules evaluated in order (the first matching rule decides each field it sets), inhibit rules and maintenance windows. Files are merged in name order.',
    ...rest,
  };
}
