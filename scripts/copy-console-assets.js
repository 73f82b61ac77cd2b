// Part of `npm run build`: the console's styles and icons go next to its compiled scripts (tsc copies no assets).
import { cpSync, readdirSync } from 'node:fs';
import path from 'node:path';

const from = path.join(import.meta.dirname, '..', 'src', 'console', 'web');
const to = path.join(import.meta.dirname, '..', 'dist', 'console', 'web');
const assets = /\.(css|svg|png|ico)$/;
for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !assets.test(entry.name)) continue;
  const rel = path.relative(from, path.join(entry.parentPath, entry.name));
  cpSync(path.join(from, rel), path.join(to, rel));
}
