import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { renderText } from '../../src/render/text.js';
import { startFakeKubernetes, testPod, type FakeKubernetes } from '../fakes/kubernetes/index.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { useTempDir } from '../support/temp.js';
import { person, TestChat } from '../support/test-chat.js';

const tempDir = useTempDir();
const viewer = person('vera', ['viewer']);
let fake: FakeKubernetes;
let app: App;
let chat: TestChat;

/** A moment `secondsAgo` before now, so the lines fall inside (or outside) a `--since` window. */
function ago(secondsAgo: number): Date {
  return new Date(Date.now() - secondsAgo * 1000);
}

beforeAll(async () => {
  fake = await startFakeKubernetes();
  fake.put('pods', testPod({ name: 'web-1', namespace: 'shop', containers: [{ name: 'app' }, { name: 'proxy' }] }));
  fake.put('pods', testPod({ name: 'batch-7', namespace: 'billing' }));
  fake.put('pods', testPod({ name: 'twin', namespace: 'shop' }));
  fake.put('pods', testPod({ name: 'twin', namespace: 'billing' }));
  fake.writePodLog('shop', 'web-1', 'app', [
    { at: ago(7200), text: 'ERROR an old failure outside the window' },
    { at: ago(300), text: '2026-12-01 10:00:00 INFO app starting on port 8080' },
    { at: ago(240), text: '2026-12-01 10:00:02 ERROR connection refused to 10.0.0.7:5432 after 3 tries' },
    { at: ago(120), text: '2026-12-01 10:00:04 ERROR connection refused to 10.0.0.8:5432 after 4 tries' },
    { at: ago(60), text: 'ERROR slack call failed with token xoxb-1111-2222-abcdEFGH' },
  ]);
  fake.writePodLog('shop', 'web-1', 'proxy', [
    { at: ago(270), text: 'WARN upstream slow: 2300 ms' },
    { at: ago(180), text: '2026-12-01 10:00:03 ERROR connection refused to 10.0.0.9:5432 after 5 tries' },
    { at: ago(90), text: 'ERROR upstream said Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature' },
  ]);
  fake.put('pods', testPod({ name: 'starting-1', namespace: 'shop', phase: 'Pending', containers: [{ name: 'app' }, { name: 'proxy', waiting: { reason: 'ContainerCreating' } }] }));
  fake.writePodLog('shop', 'starting-1', 'app', [{ at: ago(10), text: 'INFO waiting for the proxy' }]);
  fake.writePodLog('billing', 'batch-7', 'app', [{ at: ago(30), text: 'FATAL batch aborted' }]);
  const kubeconfig = await fake.writeKubeconfig(await tempDir());
  const config = configSchema.parse({ targets: { kubernetes: [{ name: 'hotel', kubeconfig, namespaces: ['shop', 'billing'], nodes: false }] } });
  app = await buildApp(config, createLogger({ level: 'silent', pretty: false }), { audit: new MemoryAudit() });
  chat = new TestChat(() => app.router);
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
});

beforeEach(() => {
  fake.requests.splice(0);
  fake.clearRefusals();
});

function logRequests() {
  return fake.requests.filter((request) => request.resource === 'pods/log');
}

describe('/maint logs on a Kubernetes pod', () => {
  it('reads every container with timestamps, counts the levels right, tags and orders the lines by time, and masks secrets, privately', async () => {
    const before = chat.messages.size;
    const { outcome } = await chat.type(viewer, '/maint logs web-1');
    expect(outcome).toBe('ok');
    expect(chat.messages.size).toBe(before);
    const answer = chat.lastPrivateNotice(viewer);
    const text = renderText(answer);

    expect(answer.text).toContain('Logs of pod shop/web-1 on Kubernetes target hotel, the last 15 min: 7 lines');
    expect(answer.text).toContain('By level: ERROR 5 · WARN 1 · INFO 1.\n');
    expect(answer.text).toContain('Last 7 lines (times UTC):');
    expect(answer.text).toContain('Most repeated errors:\n  3× connection refused to <ip> after <n> tries\n');
    const shown = answer.preformatted!.split('\n');
    expect(shown).toHaveLength(7);
    expect(shown.map((line) => /\[(app|proxy)\]/.exec(line)?.[1])).toEqual(['app', 'proxy', 'app', 'proxy', 'app', 'proxy', 'app']);
    expect(shown[1]).toContain('[proxy] WARN upstream slow');
    expect(text).not.toContain('an old failure');
    for (const secret of ['xoxb-1111', 'eyJhbGciOiJIUzI1NiJ9']) expect(text).not.toContain(secret);
    expect(text).toContain('Bearer ***');

    expect(logRequests().map((request) => request.query.container).sort()).toEqual(['app', 'proxy']);
    for (const request of logRequests()) {
      expect(request).toMatchObject({ path: '/api/v1/namespaces/shop/pods/web-1/log', verb: 'get', query: { timestamps: 'true', sinceSeconds: '900', tailLines: '5001' } });
    }
  });

  it('narrows to one container with --container, and reaches further back with --since', async () => {
    await chat.type(viewer, '/maint logs web-1 --container proxy');
    const proxy = chat.lastPrivateNotice(viewer);
    expect(proxy.text).toContain('Logs of container proxy of pod shop/web-1 on Kubernetes target hotel, the last 15 min: 3 lines');
    expect(proxy.text).toContain('By level: ERROR 2 · WARN 1.\n');
    expect(proxy.preformatted).not.toContain('[app]');
    expect(logRequests().map((request) => request.query.container)).toEqual(['proxy']);

    await chat.type(viewer, '/maint logs web-1 --container app --since 3h --grep failure');
    const older = chat.lastPrivateNotice(viewer);
    expect(older.text).toContain('the last 3 h matching /failure/i: 1 line');
    expect(older.preformatted).toContain('[app] ERROR an old failure outside the window');
  });

  it('finds a pod in any watched namespace, or as namespace/pod when the name is in several', async () => {
    await chat.type(viewer, '/maint logs batch-7');
    expect(chat.lastPrivateNotice(viewer).text).toContain('Logs of pod billing/batch-7 on Kubernetes target hotel, the last 15 min: 1 line');
    expect((await chat.type(viewer, '/maint logs twin')).outcome).toBe('refused');
    expect(chat.privateTexts(viewer).at(-1)).toContain('Pod twin exists in namespaces');
    expect(chat.privateTexts(viewer).at(-1)).toContain('name one as namespace/twin');
    await chat.type(viewer, '/maint logs billing/twin');
    expect(chat.lastPrivateNotice(viewer).text).toContain('No lines from pod billing/twin on Kubernetes target hotel in the last 15 min.');
    expect((await chat.type(viewer, '/maint logs kube-system/coredns')).outcome).toBe('refused');
    expect(chat.privateTexts(viewer).at(-1)).toContain('Namespace "kube-system" is not watched by Kubernetes target hotel. Watched: shop, billing.');
  });

  it('refuses an unknown pod or container privately, naming what exists, before reading any log', async () => {
    const before = chat.messages.size;
    expect((await chat.type(viewer, '/maint logs web-2')).outcome).toBe('refused');
    expect(chat.privateTexts(viewer).at(-1)).toContain('No pod named "web-2" in namespaces shop, billing of Kubernetes target hotel. Pods: batch-7, starting-1, twin, web-1. Did you mean web-1?');
    expect((await chat.type(viewer, '/maint logs web-1 --container sidecar')).outcome).toBe('refused');
    expect(chat.privateTexts(viewer).at(-1)).toContain('Pod shop/web-1 has no container "sidecar". Its containers: app, proxy.');
    expect(chat.messages.size).toBe(before);
    expect(logRequests()).toEqual([]);
  });

  it('says which container has no log yet, as the API server does, and reads the others with --container', async () => {
    expect((await chat.type(viewer, '/maint logs starting-1')).outcome).toBe('failed');
    const said = renderText(chat.lastPrivate(viewer));
    expect(said).toContain('Container proxy of pod shop/starting-1 has no log to read: container "proxy" in pod "starting-1" is waiting to start: ContainerCreating.');
    await chat.type(viewer, '/maint logs starting-1 --container app');
    expect(chat.lastPrivateNotice(viewer).preformatted).toContain('[app] INFO waiting for the proxy');
  });

  it('names the missing permission when RBAC refuses the pod log', async () => {
    fake.forbid({ verb: 'get', resource: 'pods/log', namespace: 'shop' });
    const before = chat.messages.size;
    expect((await chat.type(viewer, '/maint logs web-1')).outcome).toBe('failed');
    expect(renderText(chat.lastPrivate(viewer))).toContain('forbidden: maintbot-test may not get pods/log in namespace shop');
    expect(chat.messages.size).toBe(before);
    expect(logRequests().length).toBeGreaterThan(0);
  });
});
