import { ApiException, ApisApi, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKubernetes, testCertificate, testDeployment, testEvent, testHpa, testNode, testPod, testStatefulSet, type FakeKubernetes } from './kubernetes/index.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
let fake: FakeKubernetes;

beforeAll(async () => {
  fake = await startFakeKubernetes({ tokens: { 'sa-token': 'system:serviceaccount:ops:maintbot' } });
  fake.put('pods', testPod({ name: 'web-1', namespace: 'shop', labels: { app: 'web', tier: 'front' } }));
  fake.put('pods', testPod({ name: 'web-2', namespace: 'shop', labels: { app: 'web', tier: 'front' }, phase: 'Pending', unschedulable: '0/3 nodes are available' }));
  fake.put('pods', testPod({ name: 'db-0', namespace: 'shop', labels: { app: 'db' } }));
  fake.put('pods', testPod({ name: 'other', namespace: 'billing', labels: { app: 'web' } }));
  fake.put('deployments', testDeployment({ name: 'web', namespace: 'shop', replicas: 2 }));
});

afterAll(async () => {
  await fake.close();
});

async function client(options: Parameters<FakeKubernetes['writeKubeconfig']>[1] = {}): Promise<KubeConfig> {
  const config = new KubeConfig();
  config.loadFromFile(await fake.writeKubeconfig(await tempDir(), options));
  return config;
}

async function failure(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiException);
  const api = error as ApiException<string | undefined>;
  return { code: api.code, body: api.body === undefined ? {} : (JSON.parse(api.body) as Record<string, unknown>) };
}

describe('the fake Kubernetes API server, through the official client', () => {
  it('authenticates a client certificate over TLS and lists pods by namespace, label and field selector', async () => {
    const core = (await client()).makeApiClient(CoreV1Api);
    const all = await core.listNamespacedPod({ namespace: 'shop' });
    expect(all.items.map((pod) => pod.metadata?.name).sort()).toEqual(['db-0', 'web-1', 'web-2']);
    expect(all.items[0]!.metadata?.creationTimestamp).toBeInstanceOf(Date);
    const web = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web,tier in (front)' });
    expect(web.items.map((pod) => pod.metadata?.name).sort()).toEqual(['web-1', 'web-2']);
    const pending = await core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'status.phase=Pending' });
    expect(pending.items.map((pod) => pod.metadata?.name)).toEqual(['web-2']);
    expect(fake.requestsWhere({ verb: 'list', resource: 'pods', namespace: 'shop' }).at(-1)).toMatchObject({ user: 'maintbot-test', query: { fieldSelector: 'status.phase=Pending' } });
    const bad = await failure(core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'status.colour=red' }));
    expect(bad).toMatchObject({ code: 400, body: { kind: 'Status', reason: 'BadRequest', message: 'field label not supported: status.colour' } });
  });

  it('authenticates a bearer token and answers 401 for an unknown one', async () => {
    const byToken = (await client({ auth: { token: 'sa-token' } })).makeApiClient(CoreV1Api);
    expect((await byToken.listNamespacedPod({ namespace: 'billing' })).items).toHaveLength(1);
    expect(fake.requests.at(-1)?.user).toBe('system:serviceaccount:ops:maintbot');
    const stranger = (await client({ auth: { token: 'nope' } })).makeApiClient(CoreV1Api);
    expect((await failure(stranger.listNamespacedPod({ namespace: 'billing' }))).code).toBe(401);
  });

  it('answers 403 as RBAC does, and 404 for a missing object, each as a V1Status', async () => {
    fake.forbid({ verb: 'list', resource: 'pods', namespace: 'secret' });
    const core = (await client()).makeApiClient(CoreV1Api);
    expect(await failure(core.listNamespacedPod({ namespace: 'secret' }))).toEqual({
      code: 403,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'pods is forbidden: User "maintbot-test" cannot list resource "pods" in API group "" in the namespace "secret"',
        reason: 'Forbidden',
        details: { kind: 'pods' },
        code: 403,
      },
    });
    const apps = (await client()).makeApiClient(AppsV1Api);
    expect(await failure(apps.readNamespacedDeployment({ name: 'nope', namespace: 'shop' }))).toMatchObject({
      code: 404,
      body: { reason: 'NotFound', message: 'deployments.apps "nope" not found', details: { name: 'nope', group: 'apps', kind: 'deployments' } },
    });
  });

  it('applies a strategic merge patch, bumps the generation, and answers 409 to a stale resourceVersion', async () => {
    const apps = (await client()).makeApiClient(AppsV1Api);
    const before = await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' });
    const patch = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } } };
    const after = await apps.patchNamespacedDeployment({ name: 'web', namespace: 'shop', body: patch }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(after.spec?.template.metadata?.annotations).toEqual({ 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' });
    expect(after.spec?.template.metadata?.labels).toEqual({ app: 'web' });
    expect(after.metadata?.generation).toBe((before.metadata?.generation ?? 0) + 1);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PATCH', contentType: 'application/strategic-merge-patch+json', body: patch });
    const stale = { metadata: { resourceVersion: before.metadata?.resourceVersion }, spec: { replicas: 5 } };
    const conflict = await failure(apps.patchNamespacedDeployment({ name: 'web', namespace: 'shop', body: stale }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
    expect(conflict).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' })).spec?.replicas).toBe(2);
  });

  it('scales a Deployment through its scale subresource', async () => {
    const apps = (await client()).makeApiClient(AppsV1Api);
    const scale = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'shop', body: { spec: { replicas: 4 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(scale.spec?.replicas).toBe(4);
    expect((await apps.readNamespacedDeployment({ name: 'web', namespace: 'shop' })).spec?.replicas).toBe(4);
    expect(fake.requests.at(-2)).toMatchObject({ method: 'PATCH', verb: 'patch', resource: 'deployments/scale', namespace: 'shop' });
  });

  it('serves cert-manager Certificates and lists the group in discovery only while the CRD is installed', async () => {
    const config = await client();
    const groups = async () => (await config.makeApiClient(ApisApi).getAPIVersions()).groups.map((group) => group.name);
    fake.put('certificates', testCertificate({ name: 'shop', namespace: 'shop', ready: true, notAfter: new Date(Date.now() + 86_400_000) }));
    expect(await groups()).not.toContain('cert-manager.io');
    const custom = config.makeApiClient(CustomObjectsApi);
    const list = { group: 'cert-manager.io', version: 'v1', namespace: 'shop', plural: 'certificates' };
    expect((await failure(custom.listNamespacedCustomObject(list))).code).toBe(404);
    fake.setCertManager(true);
    expect(await groups()).toContain('cert-manager.io');
    const listed = (await custom.listNamespacedCustomObject(list)) as { items: { metadata: { name: string } }[] };
    expect(listed.items.map((item) => item.metadata.name)).toEqual(['shop']);
    fake.setCertManager(false);
  });

  it('builds objects that keep every field through the client models', () => {
    const built = [
      ['V1Pod', testPod({ name: 'p', namespace: 'n', containers: [{ name: 'app', restarts: 3, waiting: { reason: 'CrashLoopBackOff' }, lastTerminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: new Date() } }] })],
      ['V1Deployment', testDeployment({ name: 'd', namespace: 'n', replicas: 3, available: 1, stuck: true })],
      ['V1StatefulSet', testStatefulSet({ name: 's', namespace: 'n', replicas: 3, ready: 2 })],
      ['CoreV1Event', testEvent({ name: 'e', namespace: 'n', reason: 'BackOff', message: 'Back-off restarting failed container', involved: { kind: 'Pod', name: 'p' } })],
      ['V1Node', testNode({ name: 'node-1', ready: false, memoryPressure: true })],
      ['V2HorizontalPodAutoscaler', testHpa({ name: 'h', namespace: 'n', deployment: 'd', min: 1, max: 3, current: 3 })],
    ] as const;
    for (const [model, object] of built) {
      const wire = ObjectSerializer.serialize(object, model, '');
      const again = ObjectSerializer.serialize(ObjectSerializer.deserialize(JSON.parse(JSON.stringify(wire)), model, ''), model, '');
      expect(again, model).toEqual(wire);
    }
  });
});
