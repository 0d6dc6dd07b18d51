import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/audit-trail.js';
import { DISCORD_FIXTURE } from '../fakes/discord/index.js';
import type { OptionValue } from '../fakes/discord/interactions.js';
import { removeTestContainers, startTestContainer } from '../support/docker.js';
import { startBot, useOwnServices, type BotOptions, type RunningBot } from './discord-support.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const suffix = randomBytes(4).toString('hex');
const allowed = `maintbot-test-discord-refuse-${suffix}`;
const forbidden = `maintbot-test-discord-refuse-other-${suffix}`;
const ephemeral = 64;
const services = useOwnServices();
let bot: RunningBot | undefined;

beforeAll(async () => {
  const db = new pg.Client(services().postgres.url());
  await db.connect();
  await db.query('CREATE TABLE orders (id int primary key)');
  await db.end();
  await removeTestContainers('maintbot-test-discord-refuse-');
  await Promise.all([startTestContainer({ name: allowed }), startTestContainer({ name: forbidden })]);
}, 60_000);

afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

afterAll(async () => removeTestContainers('maintbot-test-discord-refuse-'));

async function start(options: BotOptions = {}): Promise<RunningBot> {
  bot = await startBot({ services: services(), shippedCommands: ['vacuum.yaml', 'restart.yaml'], grants: [{ role: 'operator', discord: { roles: [roles.sre] } }], ...options });
  return bot;
}

const withDocker: BotOptions = { targets: { docker: [{ name: 'apps', containers: [allowed], allow_actions: ['restart'] }] } };

/**
 * Runs `/maint <subcommand> option:value…` and, once the command has finished, expects every message of the
 * interaction to be ephemeral (nothing in the channel) and returns the refusal it showed and its audit row.
 */
async function refusedPrivately(running: RunningBot, user: string, subcommand: string, options: Record<string, OptionValue>): Promise<{ text: string; row: AuditEvent }> {
  const sent = await running.fake.sendChatCommand({ subcommand, options, user, channel_id: channels.ops });
  const finished = await running.commands.waitForFinished((invocation) => invocation.actor.id === user && invocation.text.startsWith(subcommand));
  const callback = await running.fake.waitForCallback(sent.id);
  expect(callback.ephemeral).toBe(true);
  const answer = running.fake.originalMessage(sent.token)!;
  expect(answer.flags & ephemeral).toBe(ephemeral);
  const rows = (await running.app.audit.latest(50)).filter((event) => event.invocationId === finished.id);
  expect(rows).toHaveLength(1);
  return { text: answer.content, row: rows[0]! };
}

function publicMessages(running: RunningBot) {
  return running.fake.messages().filter((message) => (message.flags & ephemeral) === 0);
}

describe('Discord: refusals found before a runbook starts go only to the requester (flags 64)', () => {
  it('/maint health target:<typo> from a viewer: the unknown target and a did-you-mean', async () => {
    const running = await start();
    const refusal = await refusedPrivately(running, users.carol, 'health', { target: 'local-postgress' });
    expect(refusal.text).toContain('unknown target "local-postgress"; the configured targets are: local-postgres, local-redis');
    expect(refusal.text).toContain('did you mean `/maint health local-postgres`?');
    expect(refusal.row).toMatchObject({ kind: 'command', outcome: 'refused', runbook: 'health' });
    expect(publicMessages(running)).toEqual([]);
  });

  it('/maint vacuum table:<no such table>: no table of that name, the similar ones', async () => {
    const running = await start();
    const refusal = await refusedPrivately(running, users.bob, 'vacuum', { table: 'order' });
    expect(refusal.text).toContain('No table named "order" in database postgres on target local-postgres; tables with a similar name: orders.');
    expect(refusal.row).toMatchObject({ outcome: 'refused', runbook: 'vacuum' });
    expect(publicMessages(running)).toEqual([]);
  });

  it('/maint restart with no Docker target configured: says so', async () => {
    const running = await start();
    const refusal = await refusedPrivately(running, users.bob, 'restart', { container: 'api' });
    expect(refusal.text).toContain('No Docker target is configured.');
    expect(refusal.row).toMatchObject({ outcome: 'refused', runbook: 'restart' });
    expect(publicMessages(running)).toEqual([]);
  });

  it('/maint restart container:<not in the allow-list>: names what is allowed', async () => {
    const running = await start(withDocker);
    const refusal = await refusedPrivately(running, users.bob, 'restart', { container: forbidden });
    expect(refusal.text).toContain(`Container "${forbidden}" is not in the allow-list of Docker target apps. Allowed containers: ${allowed}.`);
    expect(refusal.row).toMatchObject({ outcome: 'refused', runbook: 'restart' });
    expect(publicMessages(running)).toEqual([]);
  });

  it('/maint restart of a container another request waits for: filed all the same, the requester told privately of the pending one (id, who, since)', async () => {
    const running = await start(withDocker);
    const asked = await running.fake.sendChatCommand({ subcommand: 'restart', options: { container: allowed }, user: users.alice, channel_id: channels.ops });
    const finished = await running.commands.waitForFinished((invocation) => invocation.actor.id === users.alice);
    const card = running.fake.originalMessage(asked.token)!;
    expect(card.flags & ephemeral).toBe(0);
    const id = (await running.app.audit.latest(50)).find((event) => event.invocationId === finished.id && event.kind === 'command')!.approvalId;
    expect(id).toMatch(/^[0-9a-z]{6}$/);

    await running.fake.sendChatCommand({ subcommand: 'restart', options: { container: allowed }, user: users.bob, channel_id: channels.ops });
    const second = await running.commands.waitForFinished((invocation) => invocation.actor.id === users.bob);
    const told = running.fake.messages().filter((message) => (message.flags & ephemeral) !== 0 && message.content.includes('Also pending'));
    expect(told).toHaveLength(1);
    expect(told[0]!.content).toMatch(new RegExp(`Also pending for docker:apps/${allowed}: request ${id} by alice since <t:\\d+:f> \\(restart: `));
    const rows = (await running.app.audit.latest(50)).filter((event) => event.invocationId === second.id && event.kind === 'command');
    expect(rows).toEqual([expect.objectContaining({ outcome: 'pending-approval', runbook: 'restart' })]);
    expect(publicMessages(running)).toHaveLength(2);
  });
});
