import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-bot.js';
import { sharedMariadb } from '../support/services.js';

const run = promisify(execFile);

describe('mysql2 loads only for a bot with a MySQL target', () => {
  it('checks health without loading mysql2 when no MySQL target is configured, and loads it for one', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/mysql-driver-loaded.ts'), `${sharedMariadb}/test`], { cwd: repoRoot });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ withoutMysqlTarget: false, withMysqlTarget: true });
  });
});
