// npm run schema — writes docs/rules.schema.json (the JSON Schema editors use for rules/*.yaml) from the
// compiled rules schema. Run after changing src/rules/schema.ts; a unit test fails while the file is stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rulesJsonSchema } from '../dist/rules/json-schema.js';

const out = path.join(import.meta.dirname, '..', 'docs', 'rules.schema.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(rulesJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
