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
  it('registers /maint within 25 entries by folding whole groups, and runs a command given as /maint <group> <command>', async () => {
    const [maint] = bot.fake.registeredCommands(DISCORD_FIXTURE.guildId) as Array<{ options: Array<{ type: number; name: string; options: Array<{ name: string }> }> }>;
    expect(bot.app.commands.all().length).toBeGreaterThan(25);
    expect(maint!.options.length).toBeLessThanOrEqual(25);
    const folded = maint!.options.find((option) => option.type === 2);
    expect(folded).toBeDefined();
    const member = folded!.options[0]!.name;

    const sent = await bot.fake.sendChatCommand({ group: folded!.name, subcommand: member, options: { 'dry-run': true } });
    const invocation = await bot.commands.waitForFinished((candidate) => candidate.text.startsWith(member));
    expect(invocation.text.split(' ')[0]).toBe(member);
    expect(bot.fake.callbacks().filter((callback) => callback.interactionId === sent.id)).not.toEqual([]);
  });
});
