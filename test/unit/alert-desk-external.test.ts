import { describe, expect, it } from 'vitest';
import { AlertDesk } from '../../src/alerts/alert-desk.js';
import { alertCheck, type AlertmanagerAlert } from '../../src/alerts/alertmanager-payload.js';
import type { AlertLabels } from '../../src/alerts/matchers.js';
import type { Message, Report } from '../../src/core/report.js';
import type { ChatPort, MessageHandle } from '../../src/core/responder.js';
import { createLogger } from '../../src/logging/logger.js';
import { ChannelDelivery } from '../../src/outbound/delivery.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const ops = [{ platform: 'slack' as const, id: 'C0OPS' }];
const payments = [{ platform: 'slack' as const, id: 'C0PAY' }];

/** Slack in memory: every post with its channel and thread, every update. */
class Workspace {
  readonly posts: { channel: string; thread?: string; message: Message; id: string }[] = [];
  readonly updates: { id: string; message: Message }[] = [];
  readonly port: ChatPort = {
    platform: 'slack',
    post: async (channel, message, options) => this.add(channel, message, options?.thread?.id),
    replyTo: async (parent, message) => this.add(parent.id.split('/')[0]!, message, parent.id),
    update: async (handle, message) => void this.updates.push({ id: handle.id, message }),
  };

  private add(channel: string, message: Message, thread: string | undefined): MessageHandle {
    const id = `${channel}/${this.posts.length + 1}`;
    this.posts.push({ channel, message, id, ...(thread ? { thread } : {}) });
    return { platform: 'slack', id };
  }
}

function prometheusAlert(status: 'firing' | 'resolved', labels: Record<string, string> = {}): AlertmanagerAlert {
  return {
    status,
    labels: { alertname: 'HighErrorRate', severity: 'critical', instance: 'api-1:8080', team: 'payments', ...labels },
    annotations: { summary: '5 % of requests fail', runbook_url: 'https://wiki/errors' },
    startsAt: '2026-12-01T10:00:00Z',
    endsAt: status === 'resolved' ? '2026-12-01T10:20:00Z' : '0001-01-01T00:00:00Z',
    fingerprint: 'f00dfeedf00dfeed',
  };
}

function deskWith(options: { router?: (labels: AlertLabels) => typeof ops | undefined; silenced?: (labels: AlertLabels) => string | undefined } = {}) {
  const workspace = new Workspace();
  const outbound = new OutboundRegistry();
  outbound.connect(workspace.port);
  const seen: AlertLabels[] = [];
  let ids = 0;
  const desk = new AlertDesk({
    store: new MemoryStore(),
    delivery: new ChannelDelivery(outbound, createLogger({ level: 'silent', pretty: false })),
    policy: { holdRuns: 3, renotifyAfterMs: 3_600_000 },
    logger: createLogger({ level: 'silent', pretty: false }),
    newAlertId: () => `am${++ids}`,
    router: { channelsFor: (labels, fallback) => (seen.push(labels), options.router?.(labels) ?? fallback) },
    silencer: { silencing: async (labels) => options.silenced?.(labels) },
  });
  return { desk, workspace, seen };
}

const at = (minute: number) => Date.UTC(2026, 11, 1, 10, minute);

describe('Prometheus alerts through the alert desk', () => {
  it('are posted on their first firing whatever hold_runs says, once however often Alertmanager repeats them, and resolved in the thread', async () => {
    const { desk, workspace } = deskWith();
    expect(await desk.observeExternal([alertCheck(prometheusAlert('firing'))], ops, 'UTC', at(0))).toEqual([{ kind: 'raised', alertId: 'am1', level: 'crit', value: '5 % of requests fail' }]);
    expect(await desk.observeExternal([alertCheck(prometheusAlert('firing'))], ops, 'UTC', at(1))).toEqual([]);
    const first = workspace.posts[0]!;
    expect((first.message as Report).title).toBe('CRIT: api-1:8080 (prometheus) · HighErrorRate');
    expect((first.message as Report).summary).toBe('5 % of requests fail — firing in Prometheus');
    expect((first.message as Report).links).toEqual([{ label: 'Runbook', url: 'https://wiki/errors' }]);

    await desk.ack('am1', 'anna', at(2));
    const acked = workspace.updates.at(-1)!.message as Report;
    expect(acked.summary).toMatch(/^Acked by anna/);
    expect(acked.links).toEqual([{ label: 'Runbook', url: 'https://wiki/errors' }]);

    expect(await desk.observeExternal([alertCheck(prometheusAlert('resolved'))], ops, 'UTC', at(20))).toEqual([expect.objectContaining({ kind: 'resolved', alertId: 'am1', worst: 'crit' })]);
    const note = workspace.posts.at(-1)!;
    expect(note.thread).toBe(first.id);
    expect((note.message as Report).title).toBe('RESOLVED: api-1:8080 (prometheus) · HighErrorRate');
    expect(workspace.posts).toHaveLength(2);
  });

  it('are matched on their own labels with target, system, check and severity set, so routes and silences apply', async () => {
    const { desk, workspace, seen } = deskWith({ router: (labels) => (labels.team === 'payments' ? payments : undefined) });
    await desk.observeExternal([alertCheck(prometheusAlert('firing'))], ops, 'UTC', at(0));
    expect(seen[0]).toEqual({ alertname: 'HighErrorRate', severity: 'crit', instance: 'api-1:8080', team: 'payments', target: 'api-1:8080', system: 'prometheus', check: 'HighErrorRate' });
    expect(workspace.posts.map((post) => post.channel)).toEqual(['C0PAY']);

    const silenced = deskWith({ silenced: (labels) => (labels.alertname === 'HighErrorRate' ? 'silence 7f3a' : undefined) });
    expect(await silenced.desk.observeExternal([alertCheck(prometheusAlert('firing', { instance: 'api-2:8080' }))], ops, 'UTC', at(0))).toHaveLength(0);
    expect(silenced.workspace.posts).toEqual([]);
  });
});
