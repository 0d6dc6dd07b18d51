import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productionNodeFlags } from '../../bench/measured-process.js';
import { repoRoot } from '../support/run-bot.js';

describe('the production node flags', () => {
  it('are the same in npm start, the image and the memory benchmarks', async () => {
    const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
    const dockerfile = await readFile(join(repoRoot, 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];

    expect(manifest.scripts.start).toBe(`node ${productionNodeFlags.join(' ')} scripts/start.mjs`);
    expect(entrypoint).toEqual(['node', ...productionNodeFlags, 'dist/main.js']);
  });
});
