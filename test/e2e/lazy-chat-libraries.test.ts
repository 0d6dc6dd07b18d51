import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-bot.js';

const run = promisify(execFile);

describe('chat libraries load only for the platforms that start', () => {
  it('starts the terminal-only bot without loading Bolt or discord.js', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/support/chat-libraries-loaded.ts')], { cwd: repoRoot });
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(report.terminalOnly).toEqual({ chats: { slack: false, discord: false, console: true }, connections: ['console'], loaded: { slack: false, discord: false } });
    expect(report.afterSlackAdapter).toEqual({ slack: true, discord: false });
  });
});
