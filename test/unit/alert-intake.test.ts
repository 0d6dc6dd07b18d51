import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { alertCheck, parseAlertmanagerPayload, type AlertmanagerAlert } from '../../src/alerts/alertmanager-payload.js';
import { renderDiscordMessage } from '../../src/chat/discord/embeds.js';
import { renderSlackMessage } from '../../src/chat/slack/blocks.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError, formatProblem } from '../../src/config/problems.js';
import type { Notice } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { renderText } from '../../src/render/text.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();

function alert(labels: Record<string, string>, annotations: Record<string, string> = {}, status: 'firing' | 'resolved' = 'firing'): AlertmanagerAlert {
  return { status, labels: { alertname: 'DiskFull', ...labels }, annotations, startsAt: '2026-12-01T10:00:00Z', endsAt: '2026-12-01T10:05:00Z', generatorURL: 'http://prom:9090/graph?g0.expr=x', fingerprint: 'a1b2c3d4e5f60718' };
}

async function configProblems(yaml: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const path = await writeText(await tempDir(), 'ops.yaml', yaml);
  try {
    await loadConfig(path, env, { runbooks: [] });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
}

describe('alerts.intake in the config', () => {
  const base = ['chat: { headless: true }', 'schedules: []'];

  it('reads the token from the environment; an empty ${NAME:-} leaves the intake off', async () => {
    const yaml = [...base, 'alerts:', '  intake:', '    token: ${AM_TOKEN:-}', '    channels: [{ platform: slack, id: C0ALERTS }]', ''].join('\n');
    const path = await writeText(await tempDir(), 'ops.yaml', yaml);
    expect((await loadConfig(path, { AM_TOKEN: 's3cret' }, { runbooks: [] })).alerts.intake).toEqual({ token: 's3cret', channels: [{ platform: 'slack', id: 'C0ALERTS' }], max_body_bytes: 1_048_576 });
    expect((await loadConfig(path, {}, { runbooks: [] })).alerts.intake?.token).toBeUndefined();
  });

  it('refuses a token with nowhere to post, and defaults to the health-alerts schedules\' channels', async () => {
    expect(await configProblems([...base, 'alerts: { intake: { token: abc } }', ''].join('\n'))).toEqual([
      expect.stringMatching(/ops\.yaml:3 alerts\.intake: no channel for Prometheus alerts: set alerts\.intake\.channels, or give an enabled health-alerts schedule/),
    ]);
    const withSchedule = ['chat: { headless: true }', 'schedules:', '  - { name: health-alerts, cron: "*/5 * * * *", run: { alerts: health }, channels: [{ platform: slack, id: C0OPS }] }', 'alerts: { intake: { token: abc } }', ''].join('\n');
    expect(await configProblems(withSchedule)).toEqual([]);
  });

  it('redacts the token from log records', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
    createLogger({ level: 'info', pretty: false, destination: sink }).info({ config: { alerts: { intake: { token: 'am-s3cret' } } } }, 'config');
    expect(lines.join('')).not.toContain('am-s3cret');
    expect(lines.join('')).toContain('[redacted]');
  });
});

describe('an Alertmanager alert as a check', () => {
  it('takes its level from the severity label: critical, crit and page are crit, everything else warn; resolved is ok', () => {
    const levels = ['critical', 'CRIT', 'page', 'warning', 'warn', 'info', ''].map((severity) => alertCheck(alert(severity ? { severity } : {})).level);
    expect(levels).toEqual(['crit', 'crit', 'crit', 'warn', 'warn', 'warn', 'warn']);
    expect(alertCheck(alert({ severity: 'critical' }, {}, 'resolved')).level).toBe('ok');
  });

  it('is about the target label, else the instance, else the job, and keys its state by the fingerprint', () => {
    expect(alertCheck(alert({ target: 'main-db', instance: 'db:9187', job: 'pg' })).targetName).toBe('main-db');
    expect(alertCheck(alert({ instance: 'db:9187', job: 'pg' })).targetName).toBe('db:9187');
    expect(alertCheck(alert({ job: 'pg' })).targetName).toBe('pg');
    expect(alertCheck(alert({}))).toMatchObject({ key: 'prometheus/a1b2c3d4e5f60718', targetName: 'prometheus', system: 'prometheus', checkId: 'DiskFull', labels: { alertname: 'DiskFull' } });
  });

  it('shows the summary with the description as its note, and only http(s) runbook and dashboard URLs as links', () => {
    const check = alertCheck(alert({}, { summary: 'disk 97 % full', description: 'free space on /var', runbook_url: 'https://wiki/disk', dashboard_url: 'javascript:alert(1)' }));
    expect(check.line).toEqual({ status: 'warn', label: 'DiskFull', value: 'disk 97 % full', note: 'free space on /var' });
    expect(check.links).toEqual([
      { label: 'Runbook', url: 'https://wiki/disk' },
      { label: 'Prometheus', url: 'http://prom:9090/graph?g0.expr=x' },
    ]);
    expect(alertCheck(alert({}, { description: 'only a description' })).line.value).toBe('only a description');
  });

  it('names every problem of a bad payload with its path', () => {
    const parsed = parseAlertmanagerPayload(JSON.stringify({ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 1 } }] }));
    expect('problem' in parsed && parsed.problem).toMatch(/groupKey: .*; .*alerts\.0\.labels\.alertname: .*; .*alerts\.0\.fingerprint: /);
  });
});

describe('link buttons', () => {
  const message: Notice = { kind: 'notice', tone: 'info', text: 'disk full', buttons: [{ label: 'Ack', command: 'ack 3f9a1c' }], links: [{ label: 'Runbook', url: 'https://wiki/disk' }, { label: 'Too long', url: `https://wiki/${'x'.repeat(4000)}` }] };

  it('are Slack URL buttons after the command buttons (a URL over the limit left out)', () => {
    const actions = renderSlackMessage(message).blocks.find((block) => block.type === 'actions') as unknown as { elements: Array<Record<string, unknown>> };
    expect(actions.elements).toEqual([
      expect.objectContaining({ action_id: 'maint-button-0', value: 'ack 3f9a1c' }),
      { type: 'button', action_id: 'maint-link-1', text: { type: 'plain_text', text: 'Runbook', emoji: true }, url: 'https://wiki/disk' },
    ]);
  });

  it('are Discord link-style buttons, and plain URLs in the terminal', () => {
    expect(renderDiscordMessage(message).components[0]!.components).toEqual([
      expect.objectContaining({ style: 2, custom_id: 'ack 3f9a1c' }),
      { type: 2, style: 5, label: 'Runbook', url: 'https://wiki/disk' },
    ]);
    expect(renderText(message)).toContain('Runbook: https://wiki/disk');
  });
});
