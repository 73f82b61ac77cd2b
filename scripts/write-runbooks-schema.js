// npm run schema — writes docs/runbooks.schema.json (the JSON Schema editors use for runbooks/*.yaml) from the
// compiled runbook schema. Run after changing src/runbooks/schema.ts; a unit test fails while the file is stale.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runbooksJsonSchema } from '../dist/runbooks/json-schema.js';

const out = path.join(import.meta.dirname, '..', 'docs', 'runbooks.schema.json');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(runbooksJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
