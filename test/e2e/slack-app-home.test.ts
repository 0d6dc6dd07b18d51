import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/services.js';
import { blockTexts, buttonValue, OPERATOR, startSlackHarness, type SlackHarness } from './slack-harness.js';

const channel = 'C0OPS';
const anna = { user_id: 'U0ANNA', user_name: 'anna' };
const dashboard = 'https://grafana.example.com/d/redis';

let harness: SlackHarness;
let redis: Redis;

beforeAll(async () => {
  harness = await startSlackHarness('socket', {
    targets: ({ redis: own }) => ({ redis: [{ name: 'local-redis', url: own.url, dashboard_url: dashboard }] }),
    grants: [{ role: 'operator', slack: { users: [anna.user_id] } }],
  });
  redis = new Redis(harness.redis.url);
}, 30_000);

afterAll(async () => {
  redis?.disconnect();
  await harness?.close();
});

async function flushRuns(): Promise<number> {
  const events = await harness.app.audit.latest(500);
  return events.filter((event) => event.kind === 'step' && event.action === 'redis.flush' && event.outcome === 'ok').length;
}

async function publishedHome(userId: string, after: number): Promise<string> {
  await harness.fake.sendAppHomeOpened({ user_id: userId });
  await eventually(`a home published to ${userId}`, () => (harness.fake.homeView(userId)?.version ?? 0) > after, 15_000);
  return blockTexts(harness.fake.homeView(userId)!.blocks);
}

describe('the Slack App Home through the real Bolt against the fake Slack', () => {
  it('lists the requests I may decide with working Approve buttons: the approved run happens once, the card and the home follow', async () => {
    const { fake } = harness;
    await redis.mset('home:1', 'a', 'home:2', 'b', 'kept', 'c');
    await fake.sendSlashCommand({ text: 'flush-cache local-redis --pattern home:*', channel_id: channel, user_id: OPERATOR, user_name: 'bob' });
    const card = await fake.waitForCall('chat.update', (call) => call.body.channel === channel && buttonValue(call.body.blocks, 'Approve') !== undefined);
    const id = buttonValue(card.body.blocks, 'Approve')!.split(' ')[1]!;
    expect(JSON.stringify(card.body.blocks)).toContain(`"url":"${dashboard}"`);

    const annasHome = await publishedHome(anna.user_id, 0);
    expect(fake.calls('views.publish').at(-1)?.body).toMatchObject({ user_id: anna.user_id });
    expect(annasHome).toContain('Your roles');
    expect(annasHome).toContain('operator');
    expect(annasHome).toContain(`${id} · flush-cache`);
    expect(annasHome).toContain(`Approve ${id}`);
    expect(annasHome).toContain('Your latest commands (audit trail)');

    const requestersHome = await publishedHome(OPERATOR, 0);
    expect(requestersHome).toContain('Your latest commands (audit trail)');
    expect(requestersHome).toContain('/maint flush-cache local-redis --pattern home:*');
    expect(requestersHome).not.toContain(`Approve ${id}`);

    const version = fake.homeView(anna.user_id)!.version;
    const clicks = await Promise.all([fake.sendHomeAction({ ...anna, button_text: `Approve ${id}` }), fake.sendHomeAction({ ...anna, button_text: `Approve ${id}` })]);
    expect(clicks.map((click) => click.payload.container)).toEqual([expect.objectContaining({ type: 'view' }), expect.objectContaining({ type: 'view' })]);
    await eventually('the approved flush', async () => (await flushRuns()) === 1, 15_000);
    const told = await fake.waitForCall('chat.postMessage', (call) => call.body.channel === anna.user_id && String(call.body.text).includes(`Request ${id} is already`));
    expect(String(told.body.text)).toContain('your click changed nothing');
    await eventually('anna\'s home published again', () => fake.homeView(anna.user_id)!.version > version, 15_000);
    expect(blockTexts(fake.homeView(anna.user_id)!.blocks)).not.toContain(`Approve ${id}`);
    expect(await redis.exists('home:1', 'home:2', 'kept')).toBe(1);
    const final = fake.messages(channel).find((message) => message.ts === (card.body.ts as string))!;
    expect(buttonValue(final.blocks, 'Approve')).toBeUndefined();
    expect(blockTexts(final.blocks)).toMatch(/approved by\*\\nanna at/);
    expect(await flushRuns()).toBe(1);
  }, 90_000);
});
