import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../src/checks/runner.js';
import type { Finding } from '../../src/core/finding.js';
import { kubeconfigPath } from '../../src/systems/kubernetes/cluster.js';
import { createKubernetesProbe } from '../../src/systems/kubernetes/probe.js';
import { kubernetesTargetSchema } from '../../src/systems/kubernetes/target.js';
import { startFakeKubernetes, testCertificate, testDeployment, testEvent, testHpa, testNode, testPod, testStatefulSet, type FakeKubernetes } from '../fakes/kubernetes/index.js';
import { freePort } from '../support/services.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const minutes = (count: number) => new Date(Date.now() - count * 60_000);
const days = (count: number) => new Date(Date.now() + count * 86_400_000);
let fake: FakeKubernetes;

beforeAll(async () => {
  fake = await startFakeKubernetes({ certManager: true, tokens: { 'pod-token': 'system:serviceaccount:hotel:maintbot' } });
  const shop = 'shop';
  fake.put('pods', testPod({ name: 'web-ok', namespace: shop, labels: { app: 'web' } }));
  fake.put('pods', testPod({
    name: 'web-oom',
    namespace: shop,
    labels: { app: 'web' },
    containers: [{ name: 'app', restarts: 12, waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=app' }, lastTerminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: minutes(2) } }],
  }));
  fake.put('pods', testPod({ name: 'web-flaky', namespace: shop, labels: { app: 'web' }, containers: [{ name: 'app', restarts: 4, lastTerminated: { reason: 'Error', exitCode: 1, finishedAt: minutes(10) } }] }));
  fake.put('pods', testPod({ name: 'web-old-restarts', namespace: shop, labels: { app: 'web' }, containers: [{ name: 'app', restarts: 40, lastTerminated: { reason: 'Error', exitCode: 1, finishedAt: minutes(600) } }] }));
  fake.put('pods', testPod({ name: 'worker-pull', namespace: shop, labels: { app: 'worker' }, containers: [{ name: 'worker', waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "registry.example/worker:typo"' } }] }));
  fake.put('pods', testPod({ name: 'web-pending', namespace: shop, labels: { app: 'web' }, phase: 'Pending', createdAt: minutes(20), unschedulable: '0/3 nodes are available: 3 Insufficient memory.' }));
  fake.put('pods', testPod({ name: 'web-queued', namespace: shop, labels: { app: 'web' }, phase: 'Pending', createdAt: minutes(7), unschedulable: '0/3 nodes are available: 3 Insufficient cpu.' }));
  fake.put('pods', testPod({ name: 'web-starting', namespace: shop, labels: { app: 'web' }, phase: 'Pending', createdAt: minutes(1), unschedulable: 'waiting' }));
  fake.put('deployments', testDeployment({ name: 'web', namespace: shop, replicas: 3, available: 3 }));
  fake.put('deployments', testDeployment({ name: 'api', namespace: shop, replicas: 3, available: 2, updated: 1, stuck: true }));
  fake.put('deployments', testDeployment({ name: 'worker', namespace: shop, replicas: 2, available: 1 }));
  fake.put('statefulsets', testStatefulSet({ name: 'db', namespace: shop, replicas: 3, ready: 2 }));
  fake.put('events', testEvent({ name: 'e1', namespace: shop, reason: 'BackOff', message: 'Back-off restarting failed container app', involved: { kind: 'Pod', name: 'web-oom' }, count: 5, lastSeen: minutes(1) }));
  fake.put('events', testEvent({ name: 'e2', namespace: shop, reason: 'BackOff', message: 'Back-off restarting failed container app', involved: { kind: 'Pod', name: 'web-oom' }, count: 2, lastSeen: minutes(3) }));
  fake.put('events', testEvent({ name: 'e3', namespace: shop, reason: 'FailedScheduling', message: '0/3 nodes are available', involved: { kind: 'Pod', name: 'web-pending' }, count: 1, lastSeen: minutes(4) }));
  fake.put('events', testEvent({ name: 'e-old', namespace: shop, reason: 'Unhealthy', message: 'Readiness probe failed', involved: { kind: 'Pod', name: 'web-ok' }, count: 9, lastSeen: minutes(90) }));
  fake.put('events', testEvent({ name: 'e-normal', namespace: shop, type: 'Normal', reason: 'Pulled', message: 'Successfully pulled image', involved: { kind: 'Pod', name: 'web-ok' }, lastSeen: minutes(1) }));
  fake.put('horizontalpodautoscalers', testHpa({ name: 'web', namespace: shop, deployment: 'web', min: 2, max: 3, current: 3, desired: 5 }));
  fake.put('horizontalpodautoscalers', testHpa({ name: 'api', namespace: shop, deployment: 'api', min: 2, max: 10, current: 3 }));
  fake.put('certificates', testCertificate({ name: 'shop-soon', namespace: shop, ready: true, notAfter: days(15) }));
  fake.put('certificates', testCertificate({ name: 'shop-urgent', namespace: shop, ready: true, notAfter: days(3) }));
  fake.put('certificates', testCertificate({ name: 'shop-fine', namespace: shop, ready: true, notAfter: days(80) }));
  fake.put('certificates', testCertificate({ name: 'shop-failed', namespace: shop, ready: false, notAfter: days(60), reason: 'Failed', message: 'The certificate request has failed to complete' }));
  fake.put('nodes', testNode({ name: 'node-1' }));
  fake.put('nodes', testNode({ name: 'node-2', ready: false }));
  fake.put('nodes', testNode({ name: 'node-3', memoryPressure: true }));
  fake.put('pods', testPod({ name: 'quiet', namespace: 'calm' }));
  for (let index = 0; index < 3; index += 1) {
    fake.put('events', testEvent({ name: `storm-${index}`, namespace: 'calm', reason: 'FailedMount', message: 'MountVolume.SetUp failed', involved: { kind: 'Pod', name: 'quiet' }, count: 20, lastSeen: minutes(2) }));
  }
});

afterAll(async () => {
  await fake.close();
});

async function target(overrides: Record<string, unknown> = {}) {
  const kubeconfig = await fake.writeKubeconfig(await tempDir());
  return kubernetesTargetSchema.parse({ name: 'hotel', kubeconfig, namespaces: ['shop'], ...overrides });
}

async function health(overrides: Record<string, unknown> = {}, timeoutMs = 10_000): Promise<Finding[]> {
  const { findings } = await checkHealth([createKubernetesProbe(await target(overrides))], { timeoutMs, verbose: true });
  return findings;
}

function line(findings: Finding[], checkId: string, subject?: string): Finding {
  const found = findings.find((finding) => finding.checkId === checkId && finding.subject === subject);
  if (!found) throw new Error(`no ${checkId} ${subject ?? ''} line in: ${findings.map((finding) => `${finding.checkId} ${finding.subject}`).join('; ')}`);
  return found;
}

describe('the Kubernetes probe against a fake API server', () => {
  let findings: Finding[];
  beforeAll(async () => {
    findings = await health();
  });

  it('names a crash-looping pod, its container and its last termination as OOMKilled', () => {
    const pod = line(findings, 'kubernetes.pod', 'shop/web-oom');
    expect(pod).toMatchObject({ status: 'crit', system: 'kubernetes', target: 'hotel', label: 'pod shop/web-oom', measure: { value: 12, unit: 'count' } });
    expect(pod.text).toMatch(/^CrashLoopBackOff \(app, last OOMKilled\), 12 restarts \(app\) · ready 0\/1 · 12 restarts · age 1 h$/);
    expect(pod.note).toMatch(/^container app is in CrashLoopBackOff, last terminated OOMKilled \(exit 137\) 2 min( \d+ s)? ago: it was OOMKilled \(out of memory\): raise its memory limit/);
    expect(pod.threshold).toContain('crit on CrashLoopBackOff or ImagePullBackOff');
  });

  it('names an image that cannot be pulled', () => {
    const pod = line(findings, 'kubernetes.pod', 'shop/worker-pull');
    expect(pod.status).toBe('crit');
    expect(pod.note).toContain('container worker is in ImagePullBackOff: the image cannot be pulled (Back-off pulling image "registry.example/worker:typo"): check the image name, tag and pull secret');
  });

  it('judges restarts within the window only: warn at 3, crit at 10, old restarts ignored', () => {
    expect(line(findings, 'kubernetes.pod', 'shop/web-flaky')).toMatchObject({ status: 'warn', text: expect.stringMatching(/^4 restarts \(app\)/) });
    expect(line(findings, 'kubernetes.pod', 'shop/web-flaky').note).toMatch(/restarted 4 times, the last 10 min( \d+ s)? ago \(Error, exit 1\)$/);
    expect(findings.some((finding) => finding.subject === 'shop/web-old-restarts')).toBe(false);
  });

  it('warns on a pod Pending past 5 minutes, crit past 15, with why it is not scheduled', () => {
    const pending = line(findings, 'kubernetes.pod', 'shop/web-pending');
    expect(pending.status).toBe('crit');
    expect(pending.note).toMatch(/^Pending for 20 min( \d+ s)? \(not scheduled: 0\/3 nodes are available: 3 Insufficient memory\.\)$/);
    expect(line(findings, 'kubernetes.pod', 'shop/web-queued').status).toBe('warn');
    expect(findings.some((finding) => finding.subject === 'shop/web-starting')).toBe(false);
    expect(line(findings, 'kubernetes.pods', 'shop')).toMatchObject({ status: 'crit', text: '8 pods, 3 healthy, 5 with problems' });
  });

  it('judges Deployments and StatefulSets by available replicas, and a stuck rollout as crit', () => {
    expect(line(findings, 'kubernetes.deployment', 'shop/web')).toMatchObject({ status: 'ok', text: '3 of 3 available · 3 updated · registry.example/web:1.0' });
    const api = line(findings, 'kubernetes.deployment', 'shop/api');
    expect(api).toMatchObject({ status: 'crit', text: '2 of 3 available · 1 updated · registry.example/api:1.0' });
    expect(api.note).toBe('rollout stuck (ProgressDeadlineExceeded): ReplicaSet "api-7d9f8c6b5" has timed out progressing.; look at the new pods\' events, or roll back; 1 of 3 replicas unavailable: look at its pods');
    expect(line(findings, 'kubernetes.deployment', 'shop/worker')).toMatchObject({ status: 'warn', note: '1 of 2 replicas unavailable: look at its pods' });
    expect(line(findings, 'kubernetes.statefulset', 'shop/db')).toMatchObject({ status: 'warn', text: '2 of 3 available · 2 ready' });
  });

  it('groups the Warning events of the window by reason and object', () => {
    const events = line(findings, 'kubernetes.events', 'shop');
    expect(events).toMatchObject({ status: 'warn', measure: { value: 8, unit: 'count' }, text: '8 in 30m: BackOff ×7 (Pod/web-oom), FailedScheduling ×1 (Pod/web-pending)', threshold: 'warn at 1, crit at 50 within 30m' });
    expect(events.detail).toEqual([expect.stringMatching(/^BackOff · Pod\/web-oom · 7× · last 1 min( \d+ s)? ago · Back-off restarting failed container app$/), expect.stringMatching(/^FailedScheduling · Pod\/web-pending · 1× · last 4 min/)]);
  });

  it('is crit on a storm of warnings', async () => {
    const calm = await health({ namespaces: ['calm'], nodes: false });
    expect(line(calm, 'kubernetes.events', 'calm')).toMatchObject({ status: 'crit', text: '60 in 30m: FailedMount ×60 (Pod/quiet)' });
    expect(line(calm, 'kubernetes.pods', 'calm')).toMatchObject({ status: 'ok', text: '1 pod, 1 healthy' });
  });

  it('is crit on a NotReady node and warns on memory pressure', () => {
    expect(line(findings, 'kubernetes.nodes')).toMatchObject({ status: 'crit', text: '2 of 3 Ready, 1 under pressure' });
    expect(line(findings, 'kubernetes.node', 'node-2')).toMatchObject({ status: 'crit', text: 'NotReady', note: 'NotReady (NodeStatusUnknown: Kubelet stopped posting node status.): its pods are not served and will be evicted' });
    expect(line(findings, 'kubernetes.node', 'node-3')).toMatchObject({ status: 'warn', text: 'Ready, MemoryPressure' });
    expect(findings.some((finding) => finding.subject === 'node-1')).toBe(false);
  });

  it('warns on an autoscaler at its maximum', () => {
    expect(line(findings, 'kubernetes.hpa', 'shop/web')).toMatchObject({ status: 'warn', text: '3 of max 3 replicas (min 2) for Deployment/web · cpu 180 %', note: 'at its maximum and it wants more: it cannot scale further; raise maxReplicas or find the load' });
    expect(line(findings, 'kubernetes.hpa', 'shop/api').status).toBe('ok');
  });

  it('judges cert-manager Certificates by Ready and days to expiry', () => {
    expect(line(findings, 'kubernetes.certificate', 'shop/shop-soon')).toMatchObject({ status: 'warn', measure: { value: 14, unit: 'days' } });
    expect(line(findings, 'kubernetes.certificate', 'shop/shop-urgent')).toMatchObject({ status: 'crit', text: expect.stringMatching(/^Ready · expires in 2 days \(\d{4}-\d\d-\d\d\) · shop-urgent\.example\.com$/) });
    expect(line(findings, 'kubernetes.certificate', 'shop/shop-fine').status).toBe('ok');
    expect(line(findings, 'kubernetes.certificate', 'shop/shop-failed')).toMatchObject({ status: 'crit', note: expect.stringMatching(/^not Ready \(Failed: The certificate request has failed to complete\)/) });
  });

  it('reads no certificates and reports no error where cert-manager is not installed', async () => {
    fake.setCertManager(false);
    try {
      const without = await health();
      expect(without.filter((finding) => finding.checkId === 'kubernetes.certificate')).toEqual([]);
      expect(without.filter((finding) => finding.status === 'unknown')).toEqual([]);
      expect(line(without, 'kubernetes.pod', 'shop/web-oom').status).toBe('crit');
    } finally {
      fake.setCertManager(true);
    }
  });

  it('narrows to the configured Deployments and label selector, and names a configured Deployment that does not exist', async () => {
    const narrowed = await health({ deployments: ['web', 'wep'], label_selector: 'app=web', nodes: false });
    expect(narrowed.filter((finding) => finding.checkId === 'kubernetes.deployment').map((finding) => finding.subject)).toEqual(['shop/web', 'wep']);
    expect(line(narrowed, 'kubernetes.deployment', 'wep')).toMatchObject({ status: 'warn', text: 'no such Deployment', note: 'No Deployment wep in shop; there are: web. Did you mean web? Fix targets.kubernetes[].deployments.' });
    expect(narrowed.some((finding) => finding.subject === 'shop/worker-pull')).toBe(false);
    expect(fake.requestsWhere({ verb: 'list', resource: 'pods', namespace: 'shop' }).at(-1)?.query.labelSelector).toBe('app=web');
  });
});

describe('what the probe says when it may not or cannot look', () => {
  it('names the verb, resource and namespace the API server refused, and still checks the rest', async () => {
    fake.put('pods', testPod({ name: 'secret-pod', namespace: 'locked' }));
    fake.forbid({ verb: 'list', resource: 'pods', namespace: 'locked' });
    const findings = await health({ namespaces: ['locked'], nodes: false });
    expect(line(findings, 'kubernetes.access', 'list pods locked')).toMatchObject({
      status: 'unknown',
      label: 'permission list pods',
      text: 'forbidden: maintbot-test may not list pods in namespace locked',
      note: 'Grant it with a Role (see docs/kubernetes/rbac.yaml). Needed for health, /maint pods.',
    });
    expect(line(findings, 'kubernetes.events', 'locked').status).toBe('ok');
  });

  it('says "unreachable (no answer in N s)" when the API server does not answer within the health timeout', async () => {
    const stalled = await startFakeKubernetes();
    try {
      const kubeconfig = await stalled.writeKubeconfig(await tempDir());
      stalled.stall(true);
      const probe = createKubernetesProbe(kubernetesTargetSchema.parse({ name: 'hotel', kubeconfig }));
      const { findings } = await checkHealth([probe], { timeoutMs: 1500, verbose: true });
      expect(findings).toEqual([expect.objectContaining({ checkId: 'reachable', status: 'crit', text: 'unreachable (no answer in 1.5 s)', target: 'hotel' })]);
      expect(stalled.requests.length).toBeGreaterThan(0);
    } finally {
      await stalled.close();
    }
  });

  it('says unreachable with the reason when nothing listens at the address', async () => {
    const dir = await tempDir();
    const port = await freePort();
    const kubeconfig = await fake.writeKubeconfig(dir);
    const { readFile, writeFile } = await import('node:fs/promises');
    await writeFile(kubeconfig, (await readFile(kubeconfig, 'utf8')).replace(fake.url, `https://127.0.0.1:${port}`));
    const probe = createKubernetesProbe(kubernetesTargetSchema.parse({ name: 'hotel', kubeconfig }));
    const { findings } = await checkHealth([probe], { timeoutMs: 10_000, verbose: true });
    expect(findings).toEqual([expect.objectContaining({ checkId: 'reachable', status: 'crit', text: `unreachable (Kubernetes API server https://127.0.0.1:${port} not reachable (ECONNREFUSED))` })]);
  });

  it('says which kubeconfig or context is missing', async () => {
    const missing = await checkHealth([createKubernetesProbe(kubernetesTargetSchema.parse({ name: 'hotel', kubeconfig: '/nonexistent/kubeconfig' }))], { timeoutMs: 10_000, verbose: true });
    expect(missing.findings[0]).toMatchObject({ status: 'unknown', text: 'could not run (kubeconfig /nonexistent/kubeconfig not found)' });
    const context = await checkHealth([createKubernetesProbe(await target({ context: 'prod' }))], { timeoutMs: 10_000, verbose: true });
    expect(context.findings[0]).toMatchObject({ status: 'unknown', text: expect.stringMatching(/^could not run \(kubeconfig .* has no context prod; it has: fake\)$/) });
  });

  it('defaults to $KUBECONFIG, then ~/.kube/config', () => {
    expect(kubeconfigPath({}, { KUBECONFIG: '/etc/a:/etc/b' })).toBe('/etc/a');
    expect(kubeconfigPath({ kubeconfig: '/own' }, { KUBECONFIG: '/etc/a' })).toBe('/own');
    expect(kubeconfigPath({}, {})).toBe(join(homedir(), '.kube', 'config'));
    expect(kubeconfigPath({ kubeconfig: '~/clusters/prod.yaml' }, {})).toBe(join(homedir(), 'clusters', 'prod.yaml'));
  });

  it('runs in-cluster from a service-account folder: its token, its CA and its namespace', async () => {
    const folder = await fake.writeServiceAccount(await tempDir(), { token: 'pod-token', namespace: 'calm' });
    const inCluster = kubernetesTargetSchema.parse({ name: 'hotel', in_cluster: true, service_account_dir: folder, server: fake.url, nodes: false });
    const { findings } = await checkHealth([createKubernetesProbe(inCluster)], { timeoutMs: 10_000, verbose: true });
    expect(line(findings, 'kubernetes.pods', 'calm')).toMatchObject({ status: 'ok', text: '1 pod, 1 healthy' });
    expect(fake.requestsWhere({ verb: 'list', resource: 'pods', namespace: 'calm' }).at(-1)?.user).toBe('system:serviceaccount:hotel:maintbot');
  });
});
