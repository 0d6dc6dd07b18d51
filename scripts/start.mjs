#!/usr/bin/env node
// `npm start`: builds dist/ when the sources changed since the last build (scripts/build.mjs), then runs the
// compiled bot in this same process, so no loader and no second node process stay alive beside it.
import { join } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { ensureBuilt, repoRoot } from './build.mjs';

try {
  await ensureBuilt(repoRoot);
} catch (error) {
  process.stderr.write(`maintbot: cannot start: ${error.message}\n`);
  process.exit(1);
}
await import(pathToFileURL(join(repoRoot, 'dist', 'main.js')).href);
