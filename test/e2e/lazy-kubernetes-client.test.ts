import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-bot.js';

const run = promisify(execFile);

describe('the Kubernetes client loads only for a Kubernetes target', () => {
  it('builds and checks a bot without one without resolving @kubernetes/client-node, and resolves it when there is one', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/kubernetes-client-loaded.ts')], { cwd: repoRoot });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report.withoutKubernetes).toEqual({ afterBuild: false, afterHealth: false, checked: ['host'] });
    expect(report.withKubernetes).toMatchObject({ afterHealth: true, checked: ['kubernetes'] });
  });
});
