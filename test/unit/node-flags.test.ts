import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productionMallocConf, productionNodeFlags } from '../../bench/measured-process.js';
import { repoRoot } from '../support/run-bot.js';

describe('the production process settings', () => {
  it('run node with the same flags in npm start, the image and the memory benchmarks', async () => {
    const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
    const dockerfile = await readFile(join(repoRoot, 'Dockerfile'), 'utf8');
    const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!) as string[];

    expect(manifest.scripts.start).toBe(`node ${productionNodeFlags.join(' ')} scripts/start.mjs`);
    expect(entrypoint).toEqual(['node', ...productionNodeFlags, 'dist/main.js']);
  });

  it('preload the same jemalloc settings in the image as in the memory benchmark', async () => {
    const dockerfile = await readFile(join(repoRoot, 'Dockerfile'), 'utf8');

    expect(dockerfile).toMatch(/^ENV LD_PRELOAD=\/usr\/local\/lib\/libjemalloc\.so\.2 \\$/m);
    expect(/^\s+MALLOC_CONF=(\S+)$/m.exec(dockerfile)?.[1]).toBe(productionMallocConf);
    expect(dockerfile).toContain('libjemalloc2');
  });
});
