import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';
import { removeTestContainers, startTestContainer } from '../support/docker.js';
import { commandsCounted, createHotels, damageTheDump } from '../support/outcomes.js';
import { eventually } from '../support/services.js';
import { blockTexts, buttonValue, command, OPERATOR, startSlackHarness, type SlackHarness } from './slack-harness.js';

const suffix = randomBytes(4).toString('hex');
const container = `maintbot-test-slack-outcomes-${suffix}`;
const channel = 'C0OPS';
const bob = { user_id: OPERATOR, user_name: 'bob' };
const metrics = new PrometheusMetrics();
let harness: SlackHarness;
let backups: string;

beforeAll(async () => {
  backups = await mkdtemp(join(tmpdir(), 'maintbot-slack-outcomes-'));
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  harness = await startSlackHarness('socket', {
    metrics,
    targets: ({ postgres }) => ({
      postgres: [{ name: 'local-postgres', url: postgres.url(), backup: { dir: backups } }],
      docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }],
    }),
    approvals: { rules: { restart: { expires_after: '1s' } } },
  });
  await createHotels(harness.postgres.url());
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await removeTestContainers(container);
  await rm(backups, { recursive: true, force: true });
});

beforeEach(() => harness.reset());

async function typed(text: string, user = bob): Promise<string> {
  await harness.fake.sendSlashCommand({ text, channel_id: channel, ...user });
  return (await harness.commands.waitForFinished(command(text, user.user_id))).id;
}

describe('Slack: what the audit trail and the metrics say a command did', () => {
  it('records a failed restore test as one command row "failed" with its failed step beneath, and counts it as failed', async () => {
    const backup = await typed('backup');
    expect((await harness.app.audit.latest(50)).filter((event) => event.invocationId === backup).map((event) => `${event.kind}:${event.outcome}`)).toEqual([
      'command:ok',
      'step:ok',
    ]);
    const dump = await damageTheDump(backups);

    const restoreTest = await typed('restore-test');

    const rows = (await harness.app.audit.latest(50)).filter((event) => event.invocationId === restoreTest);
    expect(rows.map((event) => `${event.kind}:${event.outcome}`)).toEqual(['command:failed', 'step:failed']);
    expect(rows[0]).toMatchObject({ command: 'restore-test', runbook: 'restore-test', detail: expect.stringContaining(`failed at step 1: the restore test of ${dump} failed: checksum mismatch`) });
    expect(rows[1]).toMatchObject({ step: 'restore-test', action: 'restore-test' });
    expect(await commandsCounted(metrics, 'restore-test', 'failed')).toBe(1);
    expect(await commandsCounted(metrics, 'restore-test', 'ok')).toBe(0);
    const card = harness.fake.calls('chat.update').at(-1)!;
    expect(blockTexts(card.body.blocks)).toContain(`Restore test of ${dump}: FAILED`);
  }, 60_000);

  it('records an expired request with the bot as the actor, under the request and with its id', async () => {
    const asked = await typed(`restart ${container}`);
    const card = harness.fake.calls('chat.update').find((call) => buttonValue(call.body.blocks, 'Approve') !== undefined)!;
    const id = buttonValue(card.body.blocks, 'Approve')!.split(' ')[1]!;
    await harness.fake.waitForCall('chat.update', (call) => call.body.ts === card.body.ts && /Expired: restart/.test(blockTexts(call.body.blocks)));

    const expiry = await eventually('the expiry in the audit trail', async () => (await harness.app.audit.latest(50)).find((event) => event.outcome === 'expired'));
    expect(expiry).toMatchObject({ kind: 'approval', approvalId: id, invocationId: asked, actor: { id: 'maintbot', name: 'maintbot' } });
    const request = (await harness.app.audit.latest(50)).filter((event) => event.invocationId === asked);
    expect(request.map((event) => `${event.kind}:${event.outcome}:${event.actor.name}:${event.approvalId}`)).toEqual([
      `approval:expired:maintbot:${id}`,
      `command:pending-approval:bob:${id}`,
      `step:waiting:bob:${id}`,
      `approval:requested:bob:${id}`,
    ]);
    expect(await commandsCounted(metrics, 'restart', 'pending-approval')).toBe(1);
  }, 30_000);
});
