import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-bot.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** An HTTP endpoint that accepts connections and never answers, like a hung service. */
async function hangingEndpoint(): Promise<{ port: number; connected: Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connected!: () => void;
  const firstConnection = new Promise<void>((resolve) => (connected = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    connected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as net.AddressInfo).port, connected: firstConnection };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

describe('SIGTERM of a running bot', () => {
  it('exits 0 within 10 s while a long step runs, says so in chat, and the audit records the run as interrupted', async () => {
    const dir = await tempDir();
    const stuck = await hangingEndpoint();
    const auditFile = join(dir, 'audit.jsonl');
    const configPath = await writeText(
      dir,
      'bot.yaml',
      [
        'log: { level: debug, format: json }',
        'chat: { console: { enabled: "on" } }',
        'observability: { enabled: "on", host: 127.0.0.1, port: 0 }',
        `audit: { file: ${JSON.stringify(auditFile)} }`,
        'health: { timeout_ms: 60000 }',
        'targets:',
        '  http:',
        `    - { name: stuck-api, url: "http://127.0.0.1:${stuck.port}/health" }`,
      ].join('\n'),
    );
    const bot = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configPath], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '', REDIS_URL: '', DATABASE_URL: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    bot.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    bot.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (bot.exitCode === null) bot.kill('SIGKILL');
    });

    const port = await within(
      new Promise<number>((resolve) => {
        const look = (): void => {
          const started = stderr.split('\n').find((line) => line.includes('"maintbot started"'));
          if (started) resolve((JSON.parse(started) as { observabilityPort: number }).observabilityPort);
        };
        bot.stderr.on('data', look);
        look();
      }),
      20_000,
      'the bot did not start',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nstderr:\n${stderr}`);
    });
    bot.stdin.write('/maint health\n');
    await within(stuck.connected, 10_000, 'the health probe did not reach the hung endpoint');

    const signalled = Date.now();
    bot.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unready', down: [{ component: 'maintbot', reason: 'shutting down' }] });

    const code = await within(exited, 12_000, 'the bot did not exit');
    const elapsed = Date.now() - signalled;
    expect(code, stderr).toBe(0);
    expect(elapsed).toBeLessThan(10_000);
    expect(stdout).toContain('health was interrupted at step 1 of 1');

    const events = (await readFile(auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; outcome: string; runbook?: string; step?: string });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'step', step: 'report', runbook: 'health', outcome: 'interrupted' }),
        expect.objectContaining({ kind: 'runbook', runbook: 'health', outcome: 'interrupted' }),
      ]),
    );
  }, 40_000);
});
