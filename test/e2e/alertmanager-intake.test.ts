import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../../src/bot.js';
import type { SlackBlock } from '../../src/chat/slack/blocks.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { startFakeSlack, type FakeSlack, type StoredMessage } from '../fakes/slack/index.js';
import { startGaugeExporter, startOwnAlertmanager, startOwnPrometheus, type GaugeExporter, type OwnProcess } from '../support/prometheus.js';
import { eventually } from '../support/services.js';
import { buttonValue } from './slack-harness.js';

const TOKEN = 'am-intake-e2e-token';
const CHANNEL = 'C0ALERTS';
const RUNBOOK = 'https://runbooks.example.com/test-gauge';
const DASHBOARD = 'https://grafana.example.com/d/test-gauge';

let slack: FakeSlack;
let bot: RunningBot;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maintbot-intake-'));
  slack = await startFakeSlack();
  const config = configSchema.parse({
    log: { level: 'silent' },
    chat: { console: { enabled: 'off' }, slack: { mode: 'socket', bot_token: 'xoxb-e2e', app_token: 'xapp-e2e', api_url: slack.apiUrl } },
    observability: { enabled: 'on', host: '127.0.0.1', port: 0 },
    audit: { file: join(dir, 'audit.jsonl') },
    schedules: [],
    targets: {},
    alerts: { hold_runs: 3, intake: { token: TOKEN, channels: [{ platform: 'slack', id: CHANNEL }], max_body_bytes: 65_536 } },
  });
  const terminal = { input: new PassThrough(), output: new PassThrough(), interactive: false, colour: false };
  bot = await startBot(config, createLogger({ level: 'silent', pretty: false }), terminal);
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function intakeUrl(): string {
  return `http://127.0.0.1:${bot.observability!.port}/alerts/alertmanager`;
}

function post(body: string, authorization: string | null = `Bearer ${TOKEN}`): Promise<Response> {
  return fetch(intakeUrl(), { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
}

/** A version 4 payload with one firing alert of this name. */
function payload(alertname: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const labels = { alertname, severity: 'warning', instance: 'web-1:9100', job: 'node' };
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'maintbot',
    groupLabels: { alertname },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com:9093',
    alerts: [
      {
        status: 'firing',
        labels,
        annotations: { summary: `${alertname} summary` },
        startsAt: new Date().toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example.com:9090/graph?g0.expr=up',
        fingerprint: Buffer.from(alertname).toString('hex').slice(0, 16),
      },
    ],
    ...overrides,
  };
}

const posted = (text: string): StoredMessage[] => slack.messages(CHANNEL).filter((message) => JSON.stringify(message.blocks).includes(text));

/** The URL of the link button with this label in Block Kit blocks. */
function linkUrl(blocks: unknown, label: string): string | undefined {
  for (const block of (blocks ?? []) as SlackBlock[]) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements as Array<{ text?: { text?: string }; url?: string }>) if (element.text?.text === label) return element.url;
  }
  return undefined;
}

describe('the Alertmanager intake refuses what it must not trust, and posts nothing for it', () => {
  it('answers 401 to a wrong or missing token, 400 with the reason to a bad body, 413 to a huge one; only the good request after them is posted', async () => {
    const wrongToken = await post(JSON.stringify(payload('WrongTokenAlert')), 'Bearer not-the-token');
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.headers.get('www-authenticate')).toBe('Bearer');
    expect(((await wrongToken.json()) as { error: string }).error).toMatch(/Authorization: Bearer <token>/);
    expect((await post(JSON.stringify(payload('NoTokenAlert')), null)).status).toBe(401);

    const badStatus = payload('MalformedAlert');
    (badStatus.alerts as Record<string, unknown>[])[0]!.status = 'burning';
    const malformed = await post(JSON.stringify(badStatus));
    expect(malformed.status).toBe(400);
    const reason = ((await malformed.json()) as { error: string }).error;
    expect(reason).toMatch(/^not an Alertmanager webhook payload \(version 4\): alerts\.0\.status: /);
    expect(reason).toContain('"firing"');

    const notJson = await post('{"version": "4", ');
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toMatch(/^the body is not JSON/);
    const wrongVersion = await post(JSON.stringify(payload('OldVersionAlert', { version: '3' })));
    expect(wrongVersion.status).toBe(400);
    expect(((await wrongVersion.json()) as { error: string }).error).toMatch(/version: /);
    const huge = await post(JSON.stringify(payload('HugeAlert', { padding: 'x'.repeat(70_000) })));
    expect(huge.status).toBe(413);

    const good = await post(JSON.stringify(payload('ProofAlert')));
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ status: 'ok', alerts: 1, notifications: 1 });
    const proof = await eventually('the good alert in Slack', () => posted('ProofAlert')[0]);
    expect(JSON.stringify(proof.blocks)).toContain('WARN: web-1:9100 (prometheus) · ProofAlert');
    for (const refused of ['WrongTokenAlert', 'NoTokenAlert', 'MalformedAlert', 'OldVersionAlert', 'HugeAlert']) expect(posted(refused)).toEqual([]);
    expect(slack.messages(CHANNEL)).toHaveLength(1);
  });

  it('a second delivery of the same firing alert (Alertmanager retries, repeats) posts nothing new', async () => {
    const again = await post(JSON.stringify(payload('ProofAlert')));
    expect(await again.json()).toEqual({ status: 'ok', alerts: 1, notifications: 0 });
    const other = await post(JSON.stringify(payload('LaterAlert')));
    expect(await other.json()).toEqual({ status: 'ok', alerts: 1, notifications: 1 });
    await eventually('the later alert in Slack', () => posted('LaterAlert')[0]);
    expect(posted('ProofAlert')).toHaveLength(1);
  });
});

describe('Prometheus → Alertmanager → maintbot → Slack, with the real Prometheus and Alertmanager', () => {
  let exporter: GaugeExporter;
  let alertmanager: OwnProcess;
  let prometheus: OwnProcess;

  beforeAll(async () => {
    exporter = await startGaugeExporter();
    alertmanager = await startOwnAlertmanager({ webhookUrl: intakeUrl(), token: TOKEN });
    prometheus = await startOwnPrometheus({
      scrapeTarget: exporter.target,
      alertmanagerPort: alertmanager.port,
      targetLabels: { target: 'shop-api' },
      rules: [
        {
          alert: 'TestGaugeHigh',
          expr: 'test_gauge > 0',
          for: '0s',
          labels: { severity: 'critical', team: 'payments' },
          annotations: { summary: 'test gauge is {{ $value }}', description: 'the exporter of the test says so', runbook_url: RUNBOOK, dashboard_url: DASHBOARD },
        },
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await exporter?.close();
  });

  it('a firing rule is posted at once (Prometheus held it, not hold_runs) with its summary, Ack and link buttons; its end is a resolved note in the thread', async () => {
    exporter.set(1);
    const alert = await eventually(
      'the Prometheus alert in Slack',
      () => posted('TestGaugeHigh').find((message) => message.threadTs === undefined),
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nalertmanager:\n${alertmanager.output()}\nprometheus:\n${prometheus.output()}`);
    });
    const shown = JSON.stringify(alert.blocks);
    expect(shown).toContain('CRIT: shop-api (prometheus) · TestGaugeHigh');
    expect(shown).toContain('test gauge is 1');
    expect(shown).toContain('firing in Prometheus');
    expect(shown).toContain('the exporter of the test says so');
    expect(buttonValue(alert.blocks, 'Ack')).toMatch(/^ack [0-9a-f]{6}$/);
    expect(linkUrl(alert.blocks, 'Runbook')).toBe(RUNBOOK);
    expect(linkUrl(alert.blocks, 'Dashboard')).toBe(DASHBOARD);
    expect(linkUrl(alert.blocks, 'Prometheus')).toMatch(/\/graph\?g0\.expr=test_gauge/);

    exporter.set(0);
    const resolved = await eventually('the resolved note in the alert\'s thread', () => slack.messages(CHANNEL).find((message) => message.threadTs === alert.ts), 90_000);
    expect(JSON.stringify(resolved.blocks)).toContain('RESOLVED: shop-api (prometheus) · TestGaugeHigh');
    expect(JSON.stringify(resolved.blocks)).toMatch(/back to ok \(was crit\): no longer firing \(ended /);
    expect(linkUrl(resolved.blocks, 'Runbook')).toBeUndefined();
    expect(posted('TestGaugeHigh').filter((message) => message.threadTs === undefined)).toHaveLength(1);
  }, 200_000);
});
