import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startBot, type RunningBot } from '../../src/bot.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { DISCORD_FIXTURE, startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';
import { TOKEN } from './discord-support.js';

/** One bot as `npm start` runs it, on the fake Slack and the fake Discord at once. */
export interface BothPlatforms {
  slack: FakeSlack;
  discord: FakeDiscord;
  bot: RunningBot;
  close(): Promise<void>;
}

/** Starts both fakes and the bot on them; `sections` adds config sections (access, targets, schedules…) beside the chat settings. */
export async function startOnBothPlatforms(sections: Record<string, unknown>): Promise<BothPlatforms> {
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-both-'));
  const slack = await startFakeSlack();
  const discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 200 });
  const config = configSchema.parse({
    log: { level: 'silent' },
    chat: {
      console: { enabled: 'off' },
      slack: { mode: 'socket', bot_token: 'xoxb-e2e', app_token: 'xapp-e2e', api_url: slack.apiUrl },
      discord: { token: TOKEN, application_id: discord.applicationId, api_url: discord.apiBase, guilds: [DISCORD_FIXTURE.guildId] },
    },
    observability: { enabled: 'off' },
    audit: { file: join(dir, 'audit.jsonl') },
    ...sections,
  });
  const terminal = { input: new PassThrough(), output: new PassThrough(), interactive: false, colour: false };
  const bot = await startBot(config, createLogger({ level: 'silent', pretty: false }), terminal);
  return {
    slack,
    discord,
    bot,
    close: async () => {
      await bot.stop();
      await slack.close();
      await discord.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The Slack channel and the operator (Slack user anna, Discord's sre role) of `startWithHealthAlerts`. */
export const alertFixture = { slackChannel: 'C0OPS', anna: { user_id: 'U0ANNA', user_name: 'anna' } } as const;

/**
 * The bot on both platforms with a health-alerts schedule that runs only when asked (`/maint run health-alerts`),
 * posting to Slack's `alertFixture.slackChannel` and Discord's #alerts, anna and the sre role as operators, and
 * `hold_runs: 2`; `sections` adds targets, health settings and the like.
 */
export function startWithHealthAlerts(sections: Record<string, unknown>): Promise<BothPlatforms> {
  return startOnBothPlatforms({
    access: { grants: [{ role: 'operator', slack: { users: [alertFixture.anna.user_id] }, discord: { roles: [DISCORD_FIXTURE.roles.sre] } }] },
    alerts: { hold_runs: 2 },
    schedules: [
      {
        name: 'health-alerts',
        cron: '0 0 1 1 *',
        run: { alerts: 'health' },
        channels: [
          { platform: 'slack', id: alertFixture.slackChannel },
          { platform: 'discord', id: DISCORD_FIXTURE.channels.alerts },
        ],
      },
    ],
    ...sections,
  });
}
