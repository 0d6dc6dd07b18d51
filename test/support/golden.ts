import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';

const goldenRoot = resolve(import.meta.dirname, '../golden');

/** `rendered` as JSON must equal `test/golden/<platform>/<name>.json`; `UPDATE_GOLDEN=1` rewrites the file instead. */
export function expectGolden(platform: 'slack' | 'discord', name: string, rendered: unknown): void {
  const path = resolve(goldenRoot, platform, `${name}.json`);
  const text = `${JSON.stringify(rendered, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
  else if (!existsSync(path)) throw new Error(`no golden file ${path}; run with UPDATE_GOLDEN=1 to write it`);
  expect(text).toBe(readFileSync(path, 'utf8'));
}
