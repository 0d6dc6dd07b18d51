import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { renderText } from '../../src/render/text.js';
import { startFakeKubernetes, testDeployment, testEvent, testHpa, testPod, type FakeKubernetes } from '../fakes/kubernetes/index.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { eventually } from '../support/services.js';
import { useTempDir } from '../support/temp.js';
import { person, TestChat } from '../support/test-chat.js';

const tempDir = useTempDir();
const logger = createLogger({ level: 'silent', pretty: false });
const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);
const victor = person('victor', ['viewer']);
let fake: FakeKubernetes;
const apps: App[] = [];

beforeAll(async () => {
  fake = await startFakeKubernetes();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.splice(0);
  fake.put('deployments', testDeployment({ name: 'web', namespace: 'shop', replicas: 3, images: { app: 'registry.example/web:2.4', sidecar: 'registry.example/proxy:1.1' } }));
  fake.put('deployments', testDeployment({ name: 'worker', namespace: 'shop', replicas: 2 }));
  fake.put('deployments', testDeployment({ name: 'api', namespace: 'shop', replicas: 2 }));
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function startBot(approvals: Record<string, unknown> = {}, target: Record<string, unknown> = {}): Promise<{ app: App; chat: TestChat; audit: MemoryAudit }> {
  const kubeconfig = await fake.writeKubeconfig(await tempDir());
  const audit = new MemoryAudit();
  const config = configSchema.parse({
    approvals: { expires_after: '15m', ...approvals },
    targets: {
      kubernetes: [
        {
          name: 'hotel',
          kubeconfig,
          namespaces: ['shop'],
          deployments: ['web', 'worker'],
          allow_actions: ['rollout-restart', 'scale'],
          scale: { min: 1, max: 6, deployments: { worker: { min: 2, max: 3 } } },
          rollout_poll_interval: '20ms',
          nodes: false,
          ...target,
        },
      ],
    },
  });
  const app = await buildApp(config, logger, { audit });
  apps.push(app);
  const chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
  return { app, chat, audit };
}

function card(chat: TestChat, handle: { id: string }): Report {
  const message = chat.latest(handle);
  if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
  return message;
}

function versions(chat: TestChat, handle: { id: string }): string[] {
  return (chat.messages.get(handle.id) ?? []).map((message) => (message.kind === 'report' ? renderText(message) : message.text));
}

function requestId(chat: TestChat, handle: { id: string }): string {
  const command = (chat.messages.get(handle.id) ?? []).flatMap((message) => message.buttons ?? []).find((button) => button.label === 'Approve')?.command;
  if (!command) throw new Error('no Approve button on the card');
  return command.split(' ')[1]!;
}

function patches() {
  return fake.requestsWhere({ method: 'PATCH' });
}

const rolledOut = { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 };

describe('/maint rollout-restart', () => {
  it('shows the namespace, replicas and images on the card, patches nothing before approval, then exactly once as kubectl does, and follows the rollout on the card', async () => {
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'rollout-restart web');
    const pending = renderText(card(chat, handles[0]!));
    expect(card(chat, handles[0]!).title).toBe('Approval needed: rollout-restart');
    expect(pending).toContain('rollout restart deployment web in namespace shop on Kubernetes target hotel (3 of 3 ready)');
    expect(pending).toContain('command: kubectl rollout restart deployment/web -n shop');
    expect(pending).toContain('namespace: shop');
    expect(pending).toContain('replicas: 3 ready of 3 desired (3 available, 3 updated)');
    expect(pending).toContain('images: app=registry.example/web:2.4, sidecar=registry.example/proxy:1.1');
    expect(patches()).toEqual([]);

    fake.scriptRollout('shop', 'web', [
      { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 },
      { replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 },
      { replicas: 4, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 },
      { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
      rolledOut,
    ]);
    await chat.click(bob, handles[0]!, 'Approve');

    expect(patches()).toHaveLength(1);
    const [patch] = patches();
    expect(patch).toMatchObject({ path: '/apis/apps/v1/namespaces/shop/deployments/web', contentType: 'application/strategic-merge-patch+json', user: 'maintbot-test' });
    const restartedAt = (patch!.body as { spec: { template: { metadata: { annotations: Record<string, string> } } } }).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'];
    expect(patch!.body).toEqual({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } } });
    expect(new Date(restartedAt!).toISOString()).toBe(restartedAt);
    expect(fake.get('deployments', 'shop', 'web')?.spec).toMatchObject({ template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt }, labels: { app: 'web' } } } });

    const history = versions(chat, handles[0]!);
    const progress = ['1 of 3 updated, 3 available', '2 of 3 updated, 3 available', '3 of 3 updated, 3 available, 1 old replica terminating', '3 of 3 updated, 2 available'];
    const at = progress.map((text) => history.findIndex((version) => version.includes(`rollout of web: ${text}`)));
    expect(at.every((index) => index > 0), history.join('\n----\n')).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const done = card(chat, handles[0]!);
    expect(done.status).toBe('ok');
    expect(renderText(done)).toMatch(/Deployment web in shop restarted: 3 of 3 updated and available after [\d.]+ (s|min)/);
    expect(renderText(done)).toMatch(/approved by\s+bob/);
    expect(history.indexOf(renderText(done))).toBeGreaterThan(Math.max(...at));
  });

  it('ends as failed on the card when the rollout exceeds its progress deadline', async () => {
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'rollout-restart web');
    const stuck = testDeployment({ name: 'web', namespace: 'shop', replicas: 3, available: 2, updated: 1, stuck: true }).status!;
    fake.scriptRollout('shop', 'web', [{ replicas: 4, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2 }, JSON.parse(JSON.stringify(stuck))]);
    await chat.click(bob, handles[0]!, 'Approve');
    expect(patches()).toHaveLength(1);
    const done = card(chat, handles[0]!);
    expect(done.status).toBe('crit');
    expect(renderText(done)).toContain('Deployment web in shop: rollout stuck (ProgressDeadlineExceeded): ReplicaSet "web-7d9f8c6b5" has timed out progressing.');
  });

  it('patches nothing after Reject, nor after expiry', async () => {
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'rollout-restart web');
    await chat.click(bob, handles[0]!, 'Reject');
    expect(card(chat, handles[0]!).title).toBe('Rejected: rollout-restart');
    const id = requestId(chat, handles[0]!);
    await chat.type(bob, `approve ${id}`);
    expect(chat.privateTexts(bob).at(-1)).toBe(`Request ${id} is already rejected; your click changed nothing.`);
    expect(patches()).toEqual([]);

    const expiring = await startBot({ expires_after: '1s' });
    const second = await expiring.chat.type(alice, 'rollout-restart worker');
    const secondId = requestId(expiring.chat, second.handles[0]!);
    await eventually('the card to show the expiry', () => card(expiring.chat, second.handles[0]!).title === 'Expired: rollout-restart', 20_000);
    await expiring.chat.type(bob, `approve ${secondId}`);
    expect(expiring.chat.privateTexts(bob).at(-1)).toMatch(new RegExp(`^Request ${secondId} expired at`));
    expect(patches()).toEqual([]);
  });

  it('refuses privately, before any card, a Deployment config does not allow, with what is allowed', async () => {
    const { chat } = await startBot();
    const refused = await chat.type(alice, 'rollout-restart api');
    expect(refused).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(alice).at(-1)).toBe('No Deployment named "api" that Kubernetes target hotel may change in namespace shop. Allowed: web, worker.');
    const typo = await chat.type(alice, 'rollout-restart wev --namespace shop');
    expect(typo.handles).toEqual([]);
    expect(chat.privateTexts(alice).at(-1)).toMatch(/Allowed: web, worker\. Did you mean web\?$/);
    await chat.type(alice, 'rollout-restart web --namespace billing');
    expect(chat.privateTexts(alice).at(-1)).toBe('Namespace "billing" is not watched by Kubernetes target hotel. Watched: shop.');
    expect(patches()).toEqual([]);
  });

  it('refuses an action that allow_actions does not list', async () => {
    const { chat } = await startBot({}, { allow_actions: ['scale'] });
    expect((await chat.type(alice, 'rollout-restart web')).handles).toEqual([]);
    expect(chat.privateTexts(alice).at(-1)).toBe('rollout-restart is not allowed on Kubernetes target hotel. Allowed actions: scale.');
  });

  it('shows on the card which permission the API server refused', async () => {
    const { chat } = await startBot();
    fake.forbid({ verb: 'patch', resource: 'deployments', namespace: 'shop' });
    try {
      const { handles } = await chat.type(alice, 'rollout-restart web');
      await chat.click(bob, handles[0]!, 'Approve');
      const done = renderText(card(chat, handles[0]!));
      expect(done).toContain('forbidden: maintbot-test may not patch deployments (apps) in namespace shop');
      expect((fake.get('deployments', 'shop', 'web')?.spec as { template: { metadata: { annotations?: unknown } } }).template.metadata.annotations).toBeUndefined();
    } finally {
      fake.clearRefusals();
    }
  });
});

describe('/maint scale', () => {
  it('shows current → new on the card and, after approval, patches the scale subresource once', async () => {
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'scale web 5');
    const pending = renderText(card(chat, handles[0]!));
    expect(pending).toContain('scale deployment web in namespace shop on Kubernetes target hotel from 3 to 5 replicas');
    expect(pending).toContain('replicas: 3 → 5 (allowed 1 to 6)');
    expect(pending).not.toContain('HorizontalPodAutoscaler');
    expect(patches()).toEqual([]);
    await chat.click(bob, handles[0]!, 'Approve');
    expect(patches()).toEqual([expect.objectContaining({ path: '/apis/apps/v1/namespaces/shop/deployments/web/scale', contentType: 'application/merge-patch+json', body: { spec: { replicas: 5 } } })]);
    expect(fake.get('deployments', 'shop', 'web')?.spec).toMatchObject({ replicas: 5 });
    expect(renderText(card(chat, handles[0]!))).toContain('Deployment web in shop scaled from 3 to 5 replicas.');
  });

  it('warns on the card when an autoscaler manages the Deployment', async () => {
    fake.put('horizontalpodautoscalers', testHpa({ name: 'worker-hpa', namespace: 'shop', deployment: 'worker', min: 2, max: 3, current: 2 }));
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'scale worker 3');
    expect(renderText(card(chat, handles[0]!))).toContain('warning: HorizontalPodAutoscaler worker-hpa (min 2, max 3) manages its replicas and will scale it back within its own bounds');
    expect(patches()).toEqual([]);
  });

  it('refuses a count outside the bounds before any card, per Deployment or the default', async () => {
    const { chat, audit } = await startBot();
    expect(await chat.type(alice, 'scale web 9')).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(alice).at(-1)).toBe('9 replicas is outside the bounds of deployment web on Kubernetes target hotel: 1 to 6.');
    expect(await chat.type(alice, 'scale worker 5')).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(alice).at(-1)).toBe('5 replicas is outside the bounds of deployment worker on Kubernetes target hotel: 2 to 3.');
    expect(await chat.type(alice, 'scale web 3')).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(alice).at(-1)).toBe('Deployment web in shop already has 3 replicas; nothing to do.');
    expect(audit.events.filter((event) => event.kind === 'approval')).toEqual([]);
    expect(patches()).toEqual([]);
  });

  it('gives the usage line for a count that is not a number', async () => {
    const { chat } = await startBot();
    await chat.type(alice, 'scale web many');
    expect(chat.privateTexts(alice).at(-1)).toMatch(/replicas/);
    expect(patches()).toEqual([]);
  });
});

describe('/maint pods and /maint events', () => {
  it('lists the pods with problems first, each with why', async () => {
    fake.put('pods', testPod({ name: 'a-healthy', namespace: 'shop' }));
    fake.put('pods', testPod({ name: 'z-crashing', namespace: 'shop', containers: [{ name: 'app', restarts: 11, waiting: { reason: 'CrashLoopBackOff' }, lastTerminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: new Date(Date.now() - 60_000) } }] }));
    const { chat } = await startBot();
    const { handles } = await chat.type(victor, 'pods');
    const report = card(chat, handles.at(-1)!);
    expect(report.title).toBe('Pods on hotel');
    expect(report.sections[0]!.lines.map((line) => [line.status, line.label])).toEqual([
      ['crit', 'z-crashing'],
      ['ok', 'a-healthy'],
    ]);
    expect(report.sections[0]!.lines[0]!.value).toMatch(/^CrashLoopBackOff \(app, last OOMKilled\), 11 restarts \(app\) · ready 0\/1 · 11 restarts · age 1 h$/);
    expect(report.sections[0]!.lines[0]!.note).toContain('OOMKilled (out of memory)');
  });

  it('lists the events of the window grouped by reason and object, warnings first', async () => {
    fake.put('events', testEvent({ name: 'w1', namespace: 'shop', reason: 'BackOff', message: 'Back-off restarting failed container', involved: { kind: 'Pod', name: 'z-crashing' }, count: 4, lastSeen: new Date(Date.now() - 5 * 60_000) }));
    fake.put('events', testEvent({ name: 'n1', namespace: 'shop', type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned', involved: { kind: 'Pod', name: 'a-healthy' }, lastSeen: new Date(Date.now() - 60_000) }));
    fake.put('events', testEvent({ name: 'old', namespace: 'shop', reason: 'Unhealthy', message: 'probe failed', involved: { kind: 'Pod', name: 'a-healthy' }, lastSeen: new Date(Date.now() - 50 * 60_000) }));
    const { chat } = await startBot();
    const recent = card(chat, (await chat.type(victor, 'events shop --since 10m')).handles.at(-1)!);
    expect(recent.sections[0]!.lines.map((line) => [line.status, line.label, line.value.split(' · ').slice(0, 3).join(' · ')])).toEqual([
      ['warn', 'Warning', 'BackOff · Pod/z-crashing · 4×'],
      ['ok', 'Normal', 'Scheduled · Pod/a-healthy · 1×'],
    ]);
    const longer = card(chat, (await chat.type(victor, 'events --since 1h')).handles.at(-1)!);
    expect(longer.sections[0]!.lines.map((line) => line.value.split(' · ')[0])).toEqual(['BackOff', 'Unhealthy', 'Scheduled']);
  });
});
