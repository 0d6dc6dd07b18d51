import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_FIXTURE } from '../fakes/discord/index.js';
import { startBot, type RunningBot } from './discord-support.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const ephemeral = 64;

let bot: RunningBot;

beforeAll(async () => {
  bot = await startBot({
    shippedCommands: ['silence.yaml', 'silences.yaml', 'unsilence.yaml'],
    grants: [{ role: 'operator', discord: { roles: [roles.sre] } }],
    targets: { http: [{ name: 'shop-api', url: 'http://127.0.0.1:1/health', labels: { host: 'web-1', team: 'web' } }] },
  });
}, 30_000);

afterAll(async () => {
  await bot?.close();
});

/** Runs `/maint <subcommand> option:value…` as `user` and returns its private answer once the command has finished. */
async function privately(user: string, subcommand: string, options: Record<string, string> = {}): Promise<string> {
  const sent = await bot.fake.sendChatCommand({ subcommand, options, user, channel_id: channels.ops });
  await bot.commands.waitForFinished((invocation) => invocation.actor.id === user && invocation.text.startsWith(subcommand));
  await bot.fake.waitForCallback(sent.id);
  const answer = bot.fake.originalMessage(sent.token)!;
  expect(answer.flags & ephemeral).toBe(ephemeral);
  return answer.content;
}

describe('silences through discord.js', () => {
  it('take several matchers in one option, quoted as typed, and list them for everyone', async () => {
    const made = await privately(users.bob, 'silence', { matchers: 'host=web-1 team=~"we b|web"', for: '2h', reason: 'deploy' });
    const id = /^Silence (\w{4}): alerts matching host=web-1 team=~"we b\|web" are not posted until <t:\d+:f> \(deploy\)\. \/maint unsilence \1 ends it\.$/.exec(made)?.[1];
    expect(id, made).toBeDefined();
    expect(bot.invocations.at(-1)!.text).toBe('silence host=web-1 team=~"we b|web" --for 2h --reason deploy');

    const listed = await privately(users.carol, 'silences');
    expect(listed).toContain('1 silence in force.');
    expect(listed).toContain(`${id}  host=web-1 team=~"we b|web"  by `);
    expect(await privately(users.carol, 'unsilence', { id: id! })).toContain("'unsilence' needs the role operator or admin");
    expect(await privately(users.bob, 'unsilence', { id: id! })).toContain(`You ended silence ${id}`);
    expect(bot.fake.messages().filter((message) => (message.flags & ephemeral) === 0)).toEqual([]);
  });
});
