import { afterEach, describe, expect, it } from 'vitest';
import type { Mention, Notice } from '../../src/core/report.js';
import { DISCORD_FIXTURE, type MessageFields } from '../fakes/discord/index.js';
import { command } from '../support/command-log.js';
import { startBot, type RunningBot } from './discord-support.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const ephemeral = 64;
const calls: Mention[] = [
  { kind: 'group', id: roles.sre },
  { kind: 'user', id: users.carol },
];
const allowedMentions = { parse: [], roles: [roles.sre], users: [users.carol] };

let bot: RunningBot | undefined;

afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

function calling(text: string): Notice {
  return { kind: 'notice', tone: 'info', text, mentions: calls };
}

describe.each(['gateway', 'http'] as const)('a message that calls people, answered to an interaction (%s mode)', (mode) => {
  it('reaches Discord with allowed_mentions naming exactly them, in the reply, a follow-up and an edit', async () => {
    bot = await startBot({
      mode,
      handler: {
        handle: async (_invocation, responder) => {
          await responder.replyPrivately(calling('only you see this'));
          const posted = await responder.reply(calling('please look'));
          await responder.update(posted, calling('please look, still'));
        },
      },
    });
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health', user: users.alice, channel_id: channels.ops });
    await bot.commands.waitForFinished(command('health', users.alice));
    const names = `<@&${roles.sre}> <@${users.carol}>`;

    const reply = await bot.fake.waitForCallback(sent.id);
    expect(reply).toMatchObject({ type: 4, ephemeral: true });
    expect(reply.data).toMatchObject({ content: `${names} only you see this`, flags: ephemeral, allowed_mentions: allowedMentions });

    const webhook = `/webhooks/${bot.fake.applicationId}/${sent.token}`;
    const followUp = await bot.fake.waitForRequest('POST', webhook);
    expect(followUp.body).toMatchObject({ content: `${names} please look`, allowed_mentions: allowedMentions });
    expect((followUp.body as MessageFields).flags ?? 0).toBe(0);
    const edit = await bot.fake.waitForRequest('PATCH', new RegExp(`^${webhook}/messages/\\d+$`));
    expect(edit.body).toMatchObject({ content: `${names} please look, still`, allowed_mentions: allowedMentions });
    expect([reply.data, followUp.body, edit.body].map((body) => Object.keys(body as object).filter((key) => /mention/i.test(key)))).toEqual([['allowed_mentions'], ['allowed_mentions'], ['allowed_mentions']]);
  });
});

describe.each(['gateway', 'http'] as const)('a message that calls nobody (%s mode)', (mode) => {
  it('pings no one, even when it echoes an @everyone or a role mention someone typed', async () => {
    bot = await startBot({
      mode,
      handler: {
        handle: async (_invocation, responder) => {
          await responder.replyPrivately({ kind: 'notice', tone: 'error', text: `unknown target "@everyone <@&${roles.sre}>"` });
          const posted = await responder.reply({ kind: 'notice', tone: 'info', text: '@here look' });
          await responder.update(posted, { kind: 'notice', tone: 'info', text: '@everyone look again' });
        },
      },
    });
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health', user: users.alice, channel_id: channels.ops });
    await bot.commands.waitForFinished(command('health', users.alice));
    const nobody = { parse: [], roles: [], users: [] };

    const reply = await bot.fake.waitForCallback(sent.id);
    expect(reply.data).toMatchObject({ content: expect.stringContaining('@everyone'), allowed_mentions: nobody });
    const webhook = `/webhooks/${bot.fake.applicationId}/${sent.token}`;
    expect((await bot.fake.waitForRequest('POST', webhook)).body).toMatchObject({ content: '@here look', allowed_mentions: nobody });
    expect((await bot.fake.waitForRequest('PATCH', new RegExp(`^${webhook}/messages/\\d+$`))).body).toMatchObject({ allowed_mentions: nobody });
  });
});
