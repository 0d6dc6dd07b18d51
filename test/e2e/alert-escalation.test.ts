import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_FIXTURE, type FakeDiscord } from '../fakes/discord/index.js';
import type { FakeSlack, StoredMessage } from '../fakes/slack/index.js';
import { eventually } from '../support/services.js';
import { startOnBothPlatforms, type BothPlatforms } from './both-platforms.js';
import { blockTexts, buttonValue } from './slack-harness.js';

const { channels, roles } = DISCORD_FIXTURE;
const anna = { user_id: 'U0ANNA', user_name: 'anna' };

let both: BothPlatforms;
let slack: FakeSlack;
let discord: FakeDiscord;
let web: Server;

beforeAll(async () => {
  web = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  both = await startOnBothPlatforms({
    access: { grants: [{ role: 'operator', slack: { users: [anna.user_id] } }] },
    rate_limits: { enabled: false },
    health: { timeout_ms: 1000 },
    targets: {
      http: [
        { name: 'shop-api', url: 'http://127.0.0.1:1/health', labels: { team: 'payments' } },
        { name: 'shop-web', url: `http://127.0.0.1:${(web.address() as AddressInfo).port}/`, labels: { team: 'payments' } },
      ],
    },
    alerts: {
      hold_runs: 1,
      routes: [
        {
          matchers: ['team=payments'],
          channels: [{ platform: 'slack', id: 'C0PAY' }],
          escalate: [
            {
              after: '1s',
              channels: [
                { platform: 'slack', id: 'C0ONCALL' },
                { platform: 'discord', id: channels.alerts },
              ],
              mention: { slack: { groups: ['S0123'] }, discord: { roles: [roles.sre] } },
            },
            { after: '3s', channels: [{ platform: 'slack', id: 'C0LEADS' }], mention: { slack: { users: ['U0LEAD'] } } },
          ],
        },
      ],
    },
    schedules: [{ name: 'health-alerts', cron: '0 0 1 1 *', run: { alerts: 'health' }, channels: [{ platform: 'slack', id: 'C0OPS' }] }],
  });
  ({ slack, discord } = both);
}, 30_000);

afterAll(async () => {
  await both?.close();
  await new Promise<void>((resolve) => web?.close(() => resolve()));
});

const escalated = (channel: string, target: string): StoredMessage[] =>
  slack.messages(channel).filter((message) => blockTexts(message.blocks).includes(`ESCALATED: ${target} (http) · reachable`));

describe('a critical alert nobody acks, through the real Bolt and discord.js', () => {
  it('goes to its route’s channel, calls the Slack user group and the Discord role after 1 s, and no further once acked', async () => {
    await slack.sendSlashCommand({ text: 'run health-alerts', channel_id: 'C0OPS', ...anna });
    const alert = await slack.waitForCall('chat.postMessage', (call) => call.body.channel === 'C0PAY' && buttonValue(call.body.blocks, 'Ack') !== undefined, 20_000);
    expect(blockTexts(alert.body.blocks)).toContain('CRIT: shop-api (http) · reachable');
    const alertId = buttonValue(alert.body.blocks, 'Ack')!.split(' ')[1]!;

    const paged = await eventually('the escalation in #oncall', () => escalated('C0ONCALL', 'shop-api')[0]);
    expect(paged.text).toMatch(/^<!subteam\^S0123> ✖ CRIT {2}ESCALATED: shop-api \(http\) · reachable/);
    expect(blockTexts(paged.blocks)).toContain('<!subteam^S0123> *CRIT* · critical and not acked within 1 s (level 1 of 2)');
    expect(buttonValue(paged.blocks, 'Ack')).toBe(`ack ${alertId}`);
    expect(buttonValue(paged.blocks, 'Snooze 1 h')).toBe(`snooze ${alertId} 1h`);
    const onDiscord = await eventually('the escalation on Discord', () => discord.messages(channels.alerts).find((message) => message.content.startsWith(`<@&${roles.sre}>`)));
    expect(onDiscord.embeds[0]?.title).toBe('🚨 ESCALATED: shop-api (http) · reachable');
    const sent = await discord.waitForRequest('POST', `/channels/${channels.alerts}/messages`);
    expect(sent.body).toMatchObject({ content: `<@&${roles.sre}>`, allowed_mentions: { parse: [], roles: [roles.sre], users: [] } });
    expect(slack.messages('C0OPS').filter((message) => buttonValue(message.blocks, 'Ack') !== undefined)).toEqual([]);

    const acking = await slack.sendBlockAction({ ...anna, channel_id: 'C0ONCALL', message_ts: paged.ts, value: `ack ${alertId}`, button_text: 'Ack', action_id: 'maint-button-0' });
    expect((await slack.waitForResponse(acking.responseUrlId)).body.text).toMatch(new RegExp(`^You acked alert ${alertId}`));
    await eventually('the escalation post to show the ack', () => /Acked by anna/.test(blockTexts(slack.messages('C0ONCALL').find((message) => message.ts === paged.ts)?.blocks)));

    await new Promise<void>((resolve) => web.close(() => resolve()));
    await slack.sendSlashCommand({ text: 'run health-alerts', channel_id: 'C0OPS', ...anna });
    await eventually('shop-web, failing after the ack, escalated to its second level', () => escalated('C0LEADS', 'shop-web').length > 0);
    expect(escalated('C0LEADS', 'shop-web')[0]!.text).toMatch(/^<@U0LEAD> /);
    expect(escalated('C0LEADS', 'shop-api')).toEqual([]);
    expect(escalated('C0ONCALL', 'shop-api')).toHaveLength(1);
  }, 60_000);
});
