import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { V1ClusterRole, V1ClusterRoleBinding, V1ConfigMap, V1Deployment, V1Role, V1RoleBinding } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../src/checks/runner.js';
import { projectRoot } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { kubernetesActionDefinitions } from '../../src/systems/kubernetes/actions/index.js';
import { kubernetesLogSource } from '../../src/systems/kubernetes/logs.js';
import { kubernetesPermissions } from '../../src/systems/kubernetes/permissions.js';
import { createKubernetesProbe } from '../../src/systems/kubernetes/probe.js';
import { kubernetesTargetSchema } from '../../src/systems/kubernetes/target.js';
import { startFakeKubernetes, testCertificate, testDeployment, testEvent, testHpa, testNode, testPod, testStatefulSet, type FakeKubernetes, type GrantedRule } from '../fakes/kubernetes/index.js';
import { actionContext } from '../support/action-context.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

/** The client model of each kind the manifests hold, and the apiVersion it must carry. */
const models: Record<string, { model: string; apiVersion: string }> = {
  Namespace: { model: 'V1Namespace', apiVersion: 'v1' },
  ServiceAccount: { model: 'V1ServiceAccount', apiVersion: 'v1' },
  ConfigMap: { model: 'V1ConfigMap', apiVersion: 'v1' },
  Secret: { model: 'V1Secret', apiVersion: 'v1' },
  Deployment: { model: 'V1Deployment', apiVersion: 'apps/v1' },
  Role: { model: 'V1Role', apiVersion: 'rbac.authorization.k8s.io/v1' },
  RoleBinding: { model: 'V1RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1' },
  ClusterRole: { model: 'V1ClusterRole', apiVersion: 'rbac.authorization.k8s.io/v1' },
  ClusterRoleBinding: { model: 'V1ClusterRoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1' },
};

type Manifest = { kind: string; apiVersion: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;

async function manifests(file: string): Promise<Manifest[]> {
  const documents = parseAllDocuments(await readFile(join(projectRoot, 'docs', 'kubernetes', file), 'utf8'));
  return (Array.isArray(documents) ? documents : [documents]).map((document) => {
    expect(document.errors, file).toEqual([]);
    return document.toJS() as Manifest;
  });
}

/** Deserializes with the client's model and serializes back: a field the model does not know is lost, so the two differ. */
function throughModel(manifest: Manifest): unknown {
  const known = models[manifest.kind];
  expect(known, `kind ${manifest.kind}`).toBeDefined();
  return ObjectSerializer.serialize(ObjectSerializer.deserialize(manifest, known!.model, ''), known!.model, '');
}

function withoutUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function ofKind<T>(all: Manifest[], kind: string): T[] {
  return all.filter((manifest) => manifest.kind === kind) as unknown as T[];
}

/** The rules the RoleBindings and ClusterRoleBindings give the ServiceAccount, each with the namespace it holds in. */
function grantedRules(all: Manifest[], account: { name: string; namespace: string }): GrantedRule[] {
  const bound = (subjects: V1RoleBinding['subjects']) => (subjects ?? []).some((subject) => subject.kind === 'ServiceAccount' && subject.name === account.name && subject.namespace === account.namespace);
  const roles = ofKind<V1Role>(all, 'Role');
  const clusterRoles = ofKind<V1ClusterRole>(all, 'ClusterRole');
  const namespaced = ofKind<V1RoleBinding>(all, 'RoleBinding')
    .filter((binding) => bound(binding.subjects))
    .flatMap((binding) => {
      const role = roles.find((candidate) => candidate.metadata?.name === binding.roleRef.name && candidate.metadata?.namespace === binding.metadata?.namespace);
      expect(role, `Role ${binding.roleRef.name} of RoleBinding ${binding.metadata?.name}`).toBeDefined();
      return (role!.rules ?? []).map((rule) => ({ namespace: binding.metadata!.namespace!, apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [], verbs: rule.verbs }));
    });
  const clusterWide = ofKind<V1ClusterRoleBinding>(all, 'ClusterRoleBinding')
    .filter((binding) => bound(binding.subjects))
    .flatMap((binding) => {
      const role = clusterRoles.find((candidate) => candidate.metadata?.name === binding.roleRef.name);
      expect(role, `ClusterRole ${binding.roleRef.name}`).toBeDefined();
      return (role!.rules ?? []).map((rule) => ({ apiGroups: rule.apiGroups ?? [], resources: rule.resources ?? [], verbs: rule.verbs }));
    });
  return [...namespaced, ...clusterWide];
}

describe('docs/kubernetes: the RBAC and the Deployment that runs maintbot in a cluster', () => {
  let rbac: Manifest[];
  let deployment: Manifest[];
  beforeAll(async () => {
    rbac = await manifests('rbac.yaml');
    deployment = await manifests('deployment.yaml');
  });

  it('holds only valid Kubernetes objects: known kinds, their apiVersions, every field known to the official models', () => {
    for (const manifest of [...rbac, ...deployment]) {
      expect(manifest.apiVersion, `${manifest.kind} ${manifest.metadata?.name}`).toBe(models[manifest.kind]?.apiVersion);
      expect(manifest.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(withoutUndefined(throughModel(manifest)), `${manifest.kind} ${manifest.metadata.name}`).toEqual(manifest);
    }
    expect(rbac.map((manifest) => manifest.kind).sort()).toEqual(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount']);
    expect(deployment.map((manifest) => manifest.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Namespace', 'Secret']);
  });

  it('runs a Deployment whose selector matches its pods, as the ServiceAccount the RBAC binds, with probes on the observability port', () => {
    const [bot] = ofKind<V1Deployment>(deployment, 'Deployment');
    const [account] = ofKind<Manifest>(rbac, 'ServiceAccount');
    expect(bot!.spec!.selector.matchLabels).toEqual(bot!.spec!.template.metadata!.labels);
    expect(bot!.spec!.template.spec!.serviceAccountName).toBe(account!.metadata.name);
    expect(bot!.metadata!.namespace).toBe(account!.metadata.namespace);
    const [container] = bot!.spec!.template.spec!.containers;
    expect(container!.ports).toEqual([{ name: 'http-metrics', containerPort: 9464, protocol: 'TCP' }]);
    expect([container!.livenessProbe?.httpGet?.path, container!.readinessProbe?.httpGet?.path]).toEqual(['/healthz', '/readyz']);
    expect(container!.args).toEqual(['--config', '/etc/maintbot/maintbot.yaml']);
    expect(container!.volumeMounts?.find((mount) => mount.mountPath === '/etc/maintbot')?.name).toBe('config');
  });

  it('ships a config in its ConfigMap that maintbot accepts, in-cluster, watching the namespaces the Role covers', async () => {
    const [configMap] = ofKind<V1ConfigMap>(deployment, 'ConfigMap');
    const config = configSchema.parse(parseAllDocuments(configMap!.data!['maintbot.yaml']!)[0]!.toJS());
    const [target] = config.targets.kubernetes;
    expect(target).toMatchObject({ in_cluster: true, service_account_dir: '/var/run/secrets/kubernetes.io/serviceaccount' });
    const roleNamespaces = ofKind<V1Role>(rbac, 'Role').map((role) => role.metadata?.namespace);
    expect(target!.namespaces.every((namespace) => roleNamespaces.includes(namespace))).toBe(true);
  });

  it('grants each permission maintbot uses and nothing else', () => {
    const rules = grantedRules(rbac, { name: 'maintbot', namespace: 'maintbot' });
    const granted = new Set(rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${rule.namespace === undefined ? 'cluster' : 'namespace'} ${verb} ${group}/${resource}`)))));
    const used = new Set(Object.values(kubernetesPermissions).map((permission) => `${permission.scope} ${permission.verb} ${permission.group}/${permission.resource}`));
    expect([...granted].sort()).toEqual([...used].sort());
  });

  describe('against an API server that enforces exactly these rules', () => {
    let fake: FakeKubernetes;
    beforeAll(async () => {
      fake = await startFakeKubernetes({ certManager: true, tokens: { 'pod-token': 'system:serviceaccount:maintbot:maintbot' } });
      fake.enforce(grantedRules(await manifests('rbac.yaml'), { name: 'maintbot', namespace: 'maintbot' }));
      fake.put('pods', testPod({ name: 'web-1', namespace: 'shop', labels: { app: 'web' } }));
      fake.put('deployments', testDeployment({ name: 'web', namespace: 'shop', replicas: 2 }));
      fake.put('statefulsets', testStatefulSet({ name: 'db', namespace: 'shop', replicas: 1 }));
      fake.put('events', testEvent({ name: 'e', namespace: 'shop', reason: 'BackOff', message: 'Back-off', involved: { kind: 'Pod', name: 'web-1' } }));
      fake.put('horizontalpodautoscalers', testHpa({ name: 'web', namespace: 'shop', deployment: 'web', min: 1, max: 4, current: 2 }));
      fake.put('certificates', testCertificate({ name: 'web', namespace: 'shop', ready: true, notAfter: new Date(Date.now() + 60 * 86_400_000) }));
      fake.put('nodes', testNode({ name: 'node-1' }));
    });
    afterAll(async () => {
      await fake.close();
    });

    it('lets the bot check everything and run every action in a watched namespace, and nothing in another', async () => {
      const folder = await fake.writeServiceAccount(await tempDir(), { token: 'pod-token', namespace: 'maintbot' });
      const target = kubernetesTargetSchema.parse({ name: 'cluster', in_cluster: true, service_account_dir: folder, server: fake.url, namespaces: ['shop'], deployments: ['web'], allow_actions: ['rollout-restart', 'scale'], rollout_poll_interval: '10ms' });
      const { findings } = await checkHealth([createKubernetesProbe(target)], { timeoutMs: 10_000, verbose: true });
      expect(findings.filter((finding) => finding.status === 'unknown' || finding.checkId === 'reachable')).toEqual([]);
      expect(new Set(findings.map((finding) => finding.checkId))).toEqual(new Set(['kubernetes.nodes', 'kubernetes.pods', 'kubernetes.deployment', 'kubernetes.statefulset', 'kubernetes.events', 'kubernetes.hpa', 'kubernetes.certificate']));

      fake.scriptRollout('shop', 'web', [{ replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 }]);
      const actions = kubernetesActionDefinitions([target]);
      for (const [name, input] of [
        ['kubernetes.pods', {}],
        ['kubernetes.events', {}],
        ['kubernetes.rollout-restart', { deployment: 'web' }],
        ['kubernetes.scale', { deployment: 'web', replicas: 3 }],
      ] as const) {
        const action = actions.find((candidate) => candidate.name === name)!;
        const parsed = action.inputs.parse(input);
        const plan = await action.plan(parsed, actionContext());
        const outcome = await action.run(parsed, actionContext(plan));
        expect(outcome.failure, name).toBeUndefined();
      }
      fake.writePodLog('shop', 'web-1', 'app', [{ at: new Date(), text: 'ERROR read under the shipped RBAC' }]);
      const logs = await kubernetesLogSource([target]).read({ name: 'web-1', sinceMs: 600_000, limit: 10, signal: AbortSignal.timeout(10_000) });
      expect(logs.entries.map((entry) => `${entry.container} ${entry.text}`)).toEqual(['app ERROR read under the shipped RBAC']);
      expect(fake.requests.filter((request) => request.resource !== undefined).map((request) => request.namespace ?? 'cluster').every((where) => where === 'shop' || where === 'cluster')).toBe(true);

      fake.put('pods', testPod({ name: 'elsewhere', namespace: 'billing' }));
      const other = await checkHealth([createKubernetesProbe({ ...target, namespaces: ['billing'], nodes: false })], { timeoutMs: 10_000, verbose: true });
      expect(other.findings.filter((finding) => finding.checkId === 'kubernetes.access').map((finding) => finding.text)).toContain('forbidden: system:serviceaccount:maintbot:maintbot may not list pods in namespace billing');
    });
  });
});
