import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord } from '../fakes/discord/index.js';
import { startFakeSlack } from '../fakes/slack/index.js';
import { repoRoot } from '../support/run-bot.js';
import { eventually } from '../support/services.js';

/** Every variable a chat adapter or the core reads directly, emptied, so only what a test sets counts. */
const noChatVariables = {
  SLACK_BOT_TOKEN: '',
  SLACK_APP_TOKEN: '',
  SLACK_SIGNING_SECRET: '',
  SLACK_API_URL: '',
  DISCORD_TOKEN: '',
  DISCORD_APPLICATION_ID: '',
  DISCORD_API_URL: '',
  REDIS_URL: '',
  DATABASE_URL: '',
  MAINTBOT_CONFIG: '',
};

interface Bot {
  stderr(): string;
  /** The JSON log records so far. */
  records(): Array<Record<string, unknown>>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const running: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of running.splice(0).reverse()) await cleanup();
});

/** Runs the real bot (`src/main.ts` under tsx, as `npm start` does) on a shipped config, given by its absolute path. */
function startBot(config: string, env: Record<string, string>): Bot {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', config], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ...noChatVariables, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  running.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  return {
    stderr: () => stderr,
    records: () =>
      stderr
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function started(bot: Bot): Record<string, unknown> | undefined {
  return bot.records().find((record) => record.msg === 'maintbot started');
}

describe('the shipped example configs start with only their platform\'s variables', () => {
  it('config/slack.example.yaml: SLACK_BOT_TOKEN and SLACK_APP_TOKEN, Socket Mode against the fake Slack', async () => {
    const fake = await startFakeSlack({ botToken: 'xoxb-example', appToken: 'xapp-example', ackTimeoutMs: 20_000, waitTimeoutMs: 20_000 });
    running.push(() => fake.close());
    const config = join(repoRoot, 'config/slack.example.yaml');
    const bot = startBot(config, { SLACK_BOT_TOKEN: 'xoxb-example', SLACK_APP_TOKEN: 'xapp-example', SLACK_API_URL: fake.apiUrl });
    const record = await eventually(`the start line in:\n${bot.stderr()}`, () => started(bot), 60_000);
    expect(record).toMatchObject({ level: 'info', config, chats: { slack: true, discord: false, console: false } });
    expect(String(record.time)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const { ack, responseUrlId } = await fake.sendSlashCommand({ text: 'help' });
    const inAck = JSON.stringify(ack.payload ?? {});
    const answer = inAck.includes('health') ? inAck : JSON.stringify((await fake.waitForResponse(responseUrlId)).body);
    expect(answer).toContain('health');
    expect(await bot.stop()).toBe(0);
  }, 90_000);

  it('config/discord.example.yaml: DISCORD_TOKEN and DISCORD_APPLICATION_ID, /maint registered globally on the fake Discord', async () => {
    const token = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.not-a-secret';
    const fake = await startFakeDiscord({ token, waitTimeoutMs: 20_000 });
    running.push(() => fake.close());
    const bot = startBot(join(repoRoot, 'config/discord.example.yaml'), { DISCORD_TOKEN: token, DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiBase });
    await eventually(`the start line in:\n${bot.stderr()}`, () => started(bot), 60_000);
    expect(started(bot)).toMatchObject({ chats: { slack: false, discord: true, console: false } });
    expect(fake.registeredCommands().map((command) => command.name)).toEqual(['maint']);
    const sent = await fake.sendChatCommand({ subcommand: 'help' });
    const answer = await fake.waitForCallback(sent.id);
    expect(JSON.stringify(answer.data)).toContain('health');
    expect(await bot.stop()).toBe(0);
  }, 90_000);
});
