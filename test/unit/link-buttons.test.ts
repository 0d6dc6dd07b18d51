import { describe, expect, it } from 'vitest';
import { alertLinks, alertMessage, type AlertRecord } from '../../src/alerts/alert-messages.js';
import { approvalCard } from '../../src/approvals/approval-card.js';
import { approvalLinks } from '../../src/approvals/approval-links.js';
import type { ApprovalRequest } from '../../src/approvals/approval-request.js';
import { renderDiscordMessage } from '../../src/chat/discord/embeds.js';
import { renderSlackMessage } from '../../src/chat/slack/blocks.js';
import { renderHealthReport } from '../../src/checks/render.js';
import type { Finding } from '../../src/core/finding.js';
import { runbookSpecSchema } from '../../src/engine/runbook-spec.js';
import { renderText } from '../../src/render/text.js';
import { expectGolden } from '../support/golden.js';

const at = (hour: number, minute: number) => Date.UTC(2026, 0, 15, hour, minute);
const docs = 'https://wiki.example.com/runbooks/restart';
const grafana = 'https://grafana.example.com/d/apps';
const dashboards = new Map([['apps', grafana], ['orders-db', 'https://grafana.example.com/d/orders']]);
const dashboardOf = (target: string) => dashboards.get(target);

const plan = { summary: 'restart container shop-api on apps', detail: ['container  shop-api (4f2a9c1b)'], lockKey: 'docker:apps/shop-api' };

const pending: ApprovalRequest = {
  id: 'k3f9qa',
  status: 'pending',
  createdAt: at(14, 0),
  expiresAt: at(14, 15),
  runId: 'run-1',
  runbook: 'restart',
  params: { container: 'shop-api' },
  invocation: { id: 'inv-1', platform: 'slack', actor: { id: 'U0ANNA', name: 'anna', roles: ['operator'] }, channel: { id: 'C0OPS' }, text: 'restart shop-api', receivedAt: new Date(at(14, 0)).toISOString() },
  stepIndex: 0,
  stepCount: 1,
  stepTitle: 'restart the container',
  outputs: {},
  summaries: [],
  plan,
  rule: { approverRoles: ['operator', 'admin'], required: 1, allowSelf: false, expiresAfterMs: 15 * 60_000 },
  approvals: [],
  card: { platform: 'slack', id: 'C0OPS/1768485600.000100' },
  links: approvalLinks(docs, plan, dashboardOf),
};

const alert: AlertRecord = {
  id: '3f9a1c',
  key: 'orders-db/postgres.connections',
  target: 'orders-db (postgres)',
  label: 'connections',
  line: { status: 'crit', label: 'connections', value: '96 of 100 (96 %)', threshold: 'crit at 95 %' },
  openedAt: at(13, 40),
  posts: {},
  ...alertLinks(dashboardOf('orders-db')),
};

const findings: Finding[] = [
  { checkId: 'docker.running', target: 'apps', system: 'docker', status: 'warn', label: 'running', text: '2 of 3', threshold: 'warn below 3' },
  { checkId: 'redis.memory', target: 'cache', system: 'redis', status: 'ok', label: 'memory', text: '12 %' },
];

const card = approvalCard(pending, at(14, 1));
const raised = alertMessage({ kind: 'raised', alertId: alert.id, level: 'crit', value: '96 of 100 (96 %)' }, alert, at(13, 45));
const health = renderHealthReport(findings, { verbose: false, dashboardOf });

describe('link buttons to a runbook\'s docs and a target\'s dashboard', () => {
  it('puts Docs (the runbook\'s url:) and Dashboard (the locked target\'s dashboard_url:) on the approval card beside Approve and Reject', () => {
    expect(card.buttons).toEqual([
      { label: 'Approve', command: 'approve k3f9qa', style: 'primary' },
      { label: 'Reject', command: 'reject k3f9qa', style: 'danger' },
    ]);
    expect(card.links).toEqual([
      { label: 'Docs', url: docs },
      { label: 'Dashboard', url: grafana },
    ]);
    expect(approvalLinks(undefined, { ...plan, lockKey: 'docker:other/x' }, dashboardOf)).toEqual([]);
    expect(approvalLinks(undefined, { summary: 'no lock', detail: [] }, dashboardOf)).toEqual([]);
    expectGolden('slack', 'approval-links', renderSlackMessage(card));
    expectGolden('discord', 'approval-links', renderDiscordMessage(card));
  });

  it('renders a link as a Slack button with url, a Discord link-style button (style 5) and "Docs: <url>" in the terminal', () => {
    const slack = JSON.stringify(renderSlackMessage(card).blocks);
    expect(slack).toContain(`"url":"${docs}"`);
    const discord = renderDiscordMessage(card).components.flatMap((row) => row.components);
    expect(discord.filter((button) => button.style === 5)).toEqual([
      { type: 2, style: 5, label: 'Docs', url: docs },
      { type: 2, style: 5, label: 'Dashboard', url: grafana },
    ]);
    expect(discord.filter((button) => button.style === 5).some((button) => 'custom_id' in button)).toBe(false);
    const text = renderText(card);
    expect(text).toContain('[Approve: type approve k3f9qa]  [Reject: type reject k3f9qa]');
    expect(text).toContain(`  Docs: ${docs}`);
    expect(text).toContain(`  Dashboard: ${grafana}`);
  });

  it('links the dashboard of each target that has one from its health report section, and of an alert\'s target', () => {
    expect(health.sections.map((section) => [section.title, section.links])).toEqual([
      ['apps (docker)', [{ label: 'Dashboard', url: grafana }]],
      ['cache (redis)', undefined],
    ]);
    expectGolden('slack', 'health-dashboard', renderSlackMessage(health));
    expectGolden('discord', 'health-dashboard', renderDiscordMessage(health));
    expect(renderText(health)).toMatch(/apps \(docker\)\n.*running.*\n {2}Dashboard: https:\/\/grafana\.example\.com\/d\/apps/);
    expectGolden('slack', 'alert-dashboard', renderSlackMessage(raised));
    expectGolden('discord', 'alert-dashboard', renderDiscordMessage(raised));
    expect(renderDiscordMessage(raised).components.flatMap((row) => row.components).map((button) => button.label)).toEqual(['Ack', 'Snooze 1 h', 'Dashboard']);
    expect(alertLinks(undefined)).toEqual({});
  });

  it('accepts an http(s) url: on a runbook and refuses anything else', () => {
    const runbook = { name: 'restart', description: 'Restart a container.', steps: [{ id: 'restart', action: 'docker.restart' }] };
    expect(runbookSpecSchema.parse({ ...runbook, url: docs }).url).toBe(docs);
    const refused = runbookSpecSchema.safeParse({ ...runbook, url: 'javascript:alert(1)' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({ path: ['url'], message: 'expected an http:// or https:// URL' });
  });
});
