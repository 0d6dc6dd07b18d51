import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledPackages } from '../../scripts/build.mjs';
import { repoRoot } from '../support/run-bot.js';

/** The JavaScript of the dist/ the suite's global setup built, all files in one string. */
async function bundleText(): Promise<string> {
  const dist = join(repoRoot, 'dist');
  const files = (await readdir(dist, { recursive: true })).filter((file) => file.endsWith('.js'));
  return (await Promise.all(files.map((file) => readFile(join(dist, file), 'utf8')))).join('\n');
}

describe('dist/, as npm start builds it', () => {
  it("holds the bundled packages instead of importing them, and zod's English messages without its other locales", async () => {
    const text = await bundleText();

    for (const name of bundledPackages) expect(text).not.toMatch(new RegExp(`from\\s*["']${name}(/[^"']*)?["']`));
    expect(text).toMatch(/from\s*["']discord\.js["']/);
    expect(text).toContain('Invalid input: expected');
    expect(text).not.toContain('Eingabe: erwartet');
  });
});
