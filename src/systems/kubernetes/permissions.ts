/** One thing maintbot asks the API server to do, as RBAC names it. */
export interface KubernetesPermission {
  verb: 'get' | 'list' | 'patch';
  /** `''` for the core group. */
  group: string;
  /** The resource, with `/subresource` where there is one. */
  resource: string;
  /** `namespace`: granted per watched namespace (Role); `cluster`: cluster-scoped (ClusterRole). */
  scope: 'namespace' | 'cluster';
  /** What needs it, for docs/kubernetes/rbac.yaml and the README. */
  usedBy: string;
}

/** Every call maintbot makes, so that the shipped RBAC can be checked to grant exactly these. */
export const kubernetesPermissions = {
  listPods: { verb: 'list', group: '', resource: 'pods', scope: 'namespace', usedBy: 'health, /maint pods' },
  getPodLog: { verb: 'get', group: '', resource: 'pods/log', scope: 'namespace', usedBy: '/maint logs' },
  listEvents: { verb: 'list', group: '', resource: 'events', scope: 'namespace', usedBy: 'health, /maint events' },
  listDeployments: { verb: 'list', group: 'apps', resource: 'deployments', scope: 'namespace', usedBy: 'health' },
  getDeployment: { verb: 'get', group: 'apps', resource: 'deployments', scope: 'namespace', usedBy: '/maint rollout-restart, /maint scale' },
  patchDeployment: { verb: 'patch', group: 'apps', resource: 'deployments', scope: 'namespace', usedBy: '/maint rollout-restart' },
  patchDeploymentScale: { verb: 'patch', group: 'apps', resource: 'deployments/scale', scope: 'namespace', usedBy: '/maint scale' },
  listStatefulSets: { verb: 'list', group: 'apps', resource: 'statefulsets', scope: 'namespace', usedBy: 'health' },
  listHpas: { verb: 'list', group: 'autoscaling', resource: 'horizontalpodautoscalers', scope: 'namespace', usedBy: 'health, /maint scale (the card names an autoscaler of the Deployment)' },
  listCertificates: { verb: 'list', group: 'cert-manager.io', resource: 'certificates', scope: 'namespace', usedBy: 'health (when cert-manager is installed)' },
  listNodes: { verb: 'list', group: '', resource: 'nodes', scope: 'cluster', usedBy: 'health (targets.kubernetes[].nodes)' },
} as const satisfies Record<string, KubernetesPermission>;

/** `list pods`, `patch deployments/scale (apps)`: a permission as a person reads it. */
export function describePermission(permission: KubernetesPermission): string {
  return `${permission.verb} ${permission.resource}${permission.group ? ` (${permission.group})` : ''}`;
}
