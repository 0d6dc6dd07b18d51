/** One kind of object the fake API server keeps, as the real server's discovery describes it. */
export interface ResourceKind {
  /** `''` for the core group. */
  group: string;
  version: string;
  /** The plural path segment, e.g. `pods`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** The client model the answers are serialized with (undefined for custom resources). */
  model?: string;
  /** The fields `fieldSelector` accepts for this kind, besides `metadata.name` and `metadata.namespace`. */
  selectableFields: string[];
}

/** The kinds the fake serves: the ones maintbot reads, and cert-manager's Certificate when it is "installed". */
export const resourceKinds: ResourceKind[] = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, model: 'V1Pod', selectableFields: ['status.phase', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.podIP', 'status.nominatedNodeName'] },
  {
    group: '',
    version: 'v1',
    resource: 'events',
    kind: 'Event',
    namespaced: true,
    model: 'CoreV1Event',
    selectableFields: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, model: 'V1Node', selectableFields: ['spec.unschedulable'] },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, model: 'V1Deployment', selectableFields: [] },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true, model: 'V1StatefulSet', selectableFields: [] },
  { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true, model: 'V2HorizontalPodAutoscaler', selectableFields: [] },
  { group: 'cert-manager.io', version: 'v1', resource: 'certificates', kind: 'Certificate', namespaced: true, selectableFields: [] },
];

/** `apps/v1`, or `v1` for the core group. */
export function groupVersion(kind: Pick<ResourceKind, 'group' | 'version'>): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

/** `deployments.apps`, or `pods` for the core group: how the real server names a resource in its messages. */
export function qualifiedResource(kind: Pick<ResourceKind, 'group' | 'resource'>): string {
  return kind.group === '' ? kind.resource : `${kind.resource}.${kind.group}`;
}
