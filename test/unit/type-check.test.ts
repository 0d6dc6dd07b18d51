import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-bot.js';

const run = promisify(execFile);

describe('the sources', () => {
  it('type-check: esbuild bundles dist/ without looking at types, so the suite runs tsc itself', async () => {
    const tsc = createRequire(join(repoRoot, 'package.json')).resolve('typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '--noEmit', '-p', join(repoRoot, 'tsconfig.json')], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, output: error.stdout ?? String(error) }),
    );

    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 300_000);
});
