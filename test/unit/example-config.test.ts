import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { projectRoot } from '../../src/config/load.js';
import { enabledChats } from '../../src/config/chat.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();

describe('config/example.yaml', () => {
  it('is a valid config that shows every top-level section', async () => {
    const config = await loadConfig(`${projectRoot}/config/example.yaml`, { SLACK_BOT_TOKEN: 'xoxb-1', DISCORD_TOKEN: 'a.b.c', DISCORD_APPLICATION_ID: '42' });
    expect(config.targets.postgres[0]?.name).toBe('main-db');
    expect(config.targets.mysql[0]).toMatchObject({ name: 'appointments-db', backup: { restore_test: { checks: [{ name: 'appointments not empty' }] } } });
    expect(config.approvals.rules.restore?.required).toBe(2);
    const shown = Object.keys(config).sort();
    const text = await import('node:fs/promises').then((fs) => fs.readFile(`${projectRoot}/config/example.yaml`, 'utf8'));
    for (const key of shown) expect(text).toMatch(new RegExp(`^${key}:`, 'm'));
  });
});

describe('the per-platform examples and config/example.yaml without tokens', () => {
  it('config/example.yaml needs no token: with none set, the terminal chat is the one that starts', async () => {
    const config = await loadConfig(`${projectRoot}/config/example.yaml`, {});
    expect(enabledChats(config)).toEqual({ slack: false, discord: false, console: true });
  });

  it('config/slack.example.yaml turns Slack on and nothing else, in Socket Mode', async () => {
    const config = await loadConfig(`${projectRoot}/config/slack.example.yaml`, { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
    expect(enabledChats(config)).toEqual({ slack: true, discord: false, console: false });
    expect(config.chat.slack).toMatchObject({ mode: 'socket', bot_token: 'xoxb-1', app_token: 'xapp-1' });
    expect(config.store.redis_url).toBeUndefined();
  });

  it('config/discord.example.yaml turns Discord on and nothing else, registering /maint globally', async () => {
    const config = await loadConfig(`${projectRoot}/config/discord.example.yaml`, { DISCORD_TOKEN: 'a.b.c', DISCORD_APPLICATION_ID: '42' });
    expect(enabledChats(config)).toEqual({ slack: false, discord: true, console: false });
    expect(config.chat.discord).toMatchObject({ token: 'a.b.c', application_id: '42', global_commands: true, guilds: [] });
  });
});

describe('the config docs/compose.yaml hands the container', () => {
  /** The config block as the container sees it: compose turns `$$` into `$`. */
  async function composeConfig(): Promise<string> {
    const compose = parse(await readFile(`${projectRoot}/docs/compose.yaml`, 'utf8')) as { configs: Record<string, { content: string }> };
    return writeText(await tempDir(), 'maintbot.yaml', compose.configs['maintbot-config']!.content.replaceAll('$$', '$'));
  }

  it('starts Slack when the tokens compose passes are set', async () => {
    const config = await loadConfig(await composeConfig(), { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', POSTGRES_PASSWORD: 'secret' });
    expect(config.chat.slack.bot_token).toBe('xoxb-1');
  });

  it('is refused, saying how to turn a chat on, when compose passes no chat token', async () => {
    const path = await composeConfig();
    await expect(loadConfig(path, { SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '', POSTGRES_PASSWORD: 'secret' })).rejects.toThrowError(
      /maintbot\.yaml:2 chat\.console\.enabled: no chat would start\. Turn one on: for Slack export SLACK_BOT_TOKEN/,
    );
  });
});
