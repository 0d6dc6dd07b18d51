import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_FIXTURE } from '../fakes/discord/index.js';
import { startBot, type RunningBot } from './discord-support.js';

const { users } = DISCORD_FIXTURE;
let bot: RunningBot;

beforeAll(async () => {
  bot = await startBot({
    shippedCommands: ['restart.yaml', 'vacuum.yaml'],
    targets: {
      postgres: [
        { name: 'orders-db', url: 'postgres://postgres@127.0.0.1:5432/postgres' },
        { name: 'billing-db', url: 'postgres://postgres@127.0.0.1:5432/postgres' },
      ],
      redis: [{ name: 'session-cache', url: 'redis://127.0.0.1:6379' }],
      docker: [
        { name: 'apps', containers: ['api', 'worker'], allow_actions: ['restart'] },
        { name: 'edge', containers: ['proxy'], allow_actions: ['restart'] },
      ],
    },
  });
}, 30_000);

afterAll(async () => {
  await bot?.close();
});

async function offered(subcommand: string, focused: string, value: string): Promise<string[]> {
  const typing = await bot.fake.sendAutocomplete({ subcommand, focused, value, user: users.bob });
  const answer = await bot.fake.waitForCallback(typing.id);
  expect(answer.type).toBe(8);
  return ((answer.data.choices ?? []) as Array<{ value: string }>).map((choice) => choice.value);
}

describe('Discord autocomplete through the real discord.js against the fake Discord', () => {
  it('offers only the PostgreSQL targets for a `complete: postgres` option', async () => {
    expect(await offered('vacuum', 'target', '')).toEqual(['orders-db', 'billing-db']);
    expect(await offered('vacuum', 'target', 'OR')).toEqual(['orders-db']);
  });

  it('offers container names, not target names, for a `complete: containers` option', async () => {
    expect(await offered('restart', 'container', '')).toEqual(['api', 'worker', 'proxy']);
    expect(await offered('restart', 'container', 'w')).toEqual(['worker']);
  });

  it('offers only the Docker targets for a `complete: docker` option, and every target for `complete: targets`', async () => {
    expect(await offered('restart', 'target', '')).toEqual(['apps', 'edge']);
    expect(await offered('health', 'target', '')).toEqual(['orders-db', 'billing-db', 'session-cache', 'apps', 'edge']);
  });
});
