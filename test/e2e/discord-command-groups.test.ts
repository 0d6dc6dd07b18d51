import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedDefinitions } from '../../src/app.js';
import { DISCORD_FIXTURE } from '../fakes/discord/index.js';
import { startBot, type RunningBot } from './discord-support.js';

let bot: RunningBot;

beforeAll(async () => {
  const shipped = (await readdir(shippedDefinitions.commands)).filter((name) => name.endsWith('.yaml') && name !== 'health.yaml' && name !== 'help.yaml');
  bot = await startBot({ shippedCommands: shipped });
}, 30_000);

afterAll(async () => {
  await bot?.close();
});

describe('Discord with more shipped commands than one /maint takes (25)', () => {
  it('registers /maint with one subcommand group per command group, and runs a command given as /maint <group> <command>', async () => {
    const [maint] = bot.fake.registeredCommands(DISCORD_FIXTURE.guildId) as Array<{ options: Array<{ type: number; name: string; options: Array<{ name: string }> }> }>;
    expect(bot.app.commands.all().length).toBeGreaterThan(25);
    expect(maint!.options.every((option) => option.type === 2)).toBe(true);
    const containers = maint!.options.find((option) => option.name === 'containers');
    expect(containers?.options.map((sub) => sub.name)).toEqual(expect.arrayContaining(['restart', 'service-down']));

    const sent = await bot.fake.sendChatCommand({ group: 'status', subcommand: 'health' });
    const invocation = await bot.commands.waitForFinished((candidate) => candidate.text.startsWith('health'));
    expect(invocation.text).toBe('health');
    expect(bot.fake.callbacks().filter((callback) => callback.interactionId === sent.id)).not.toEqual([]);
  });
});
