import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';
import { DISCORD_FIXTURE, type MessageFields } from '../fakes/discord/index.js';
import { removeTestContainers, startTestContainer } from '../support/docker.js';
import { commandsCounted, createHotels, damageTheDump } from '../support/outcomes.js';
import { eventually } from '../support/services.js';
import { startBot, useOwnServices, type RunningBot } from './discord-support.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const suffix = randomBytes(4).toString('hex');
const container = `maintbot-test-discord-outcomes-${suffix}`;
const services = useOwnServices();
let bot: RunningBot | undefined;
let backups: string;

beforeAll(async () => {
  backups = await mkdtemp(join(tmpdir(), 'maintbot-discord-outcomes-'));
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  await createHotels(services().postgres.url());
}, 60_000);

afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

afterAll(async () => {
  await removeTestContainers(container);
  await rm(backups, { recursive: true, force: true });
});

async function start(metrics = new PrometheusMetrics()): Promise<RunningBot> {
  bot = await startBot({
    services: services(),
    metrics,
    shippedCommands: ['backup.yaml', 'restore-test.yaml', 'restart.yaml'],
    grants: [{ role: 'operator', discord: { roles: [roles.sre] } }],
    targets: {
      postgres: [{ name: 'local-postgres', url: services().postgres.url(), backup: { dir: backups } }],
      docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }],
    },
    approvals: { rules: { restart: { expires_after: '1s' } } },
  });
  return bot;
}

/** `/maint <subcommand> …` as bob; resolves with the interaction and the invocation id once the command has finished. */
async function typed(running: RunningBot, subcommand: string, options: Record<string, string> = {}) {
  const earlier = new Set(running.commands.finished());
  const sent = await running.fake.sendChatCommand({ subcommand, options, user: users.bob, channel_id: channels.ops });
  const finished = await running.commands.waitForFinished((invocation) => !earlier.has(invocation) && invocation.text.startsWith(subcommand));
  return { sent, invocation: finished.id };
}

describe('Discord: what the audit trail and the metrics say a command did', () => {
  it('records a failed restore test as one command row "failed" with its failed step beneath, and counts it as failed', async () => {
    const metrics = new PrometheusMetrics();
    const running = await start(metrics);
    await typed(running, 'backup');
    const dump = await damageTheDump(backups);

    const { sent, invocation } = await typed(running, 'restore-test');

    const rows = (await running.app.audit.latest(50)).filter((event) => event.invocationId === invocation);
    expect(rows.map((event) => `${event.kind}:${event.outcome}`)).toEqual(['command:failed', 'step:failed']);
    expect(rows[0]).toMatchObject({ runbook: 'restore-test', detail: expect.stringContaining(`the restore test of ${dump} failed: checksum mismatch`) });
    expect(await commandsCounted(metrics, 'restore-test', 'failed')).toBe(1);
    expect(await commandsCounted(metrics, 'restore-test', 'ok')).toBe(0);
    expect(await commandsCounted(metrics, 'backup', 'ok')).toBe(1);
    const report = running.fake.originalMessage(sent.token) as MessageFields | undefined;
    expect(report?.embeds?.[0]?.title).toContain(`Restore test of ${dump}: FAILED`);
  }, 60_000);

  it('records an expired request with the bot as the actor, under the request and with its id', async () => {
    const running = await start();
    const { sent, invocation } = await typed(running, 'restart', { container });
    const id = (await running.app.audit.latest(50)).find((event) => event.invocationId === invocation && event.kind === 'command')!.approvalId!;
    await running.fake.waitForRequest('PATCH', /\/channels\/\d+\/messages\/\d+$/, (request) => JSON.stringify(request.body).includes('Expired: restart'));

    const expiry = await eventually('the expiry in the audit trail', async () => (await running.app.audit.latest(50)).find((event) => event.outcome === 'expired'));
    expect(expiry).toMatchObject({ kind: 'approval', approvalId: id, invocationId: invocation, platform: 'discord', actor: { id: 'maintbot', name: 'maintbot' } });
    expect(running.fake.originalMessage(sent.token)?.embeds[0]?.title).toContain('Expired: restart');
  }, 30_000);
});
