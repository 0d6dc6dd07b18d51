import type {
  CoreV1Event,
  V1ContainerStatus,
  V1Deployment,
  V1DeploymentCondition,
  V1Node,
  V1Pod,
  V1PodCondition,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';

/** One container of a test pod and what its status says. */
export interface TestContainer {
  name: string;
  image?: string;
  ready?: boolean;
  restarts?: number;
  /** The current state is waiting with this reason (CrashLoopBackOff, ImagePullBackOff, ContainerCreating). */
  waiting?: { reason: string; message?: string };
  /** The previous run ended so (OOMKilled, Error, Completed). */
  lastTerminated?: { reason: string; exitCode: number; finishedAt: Date };
  startedAt?: Date;
}

/** A Pod as the API server returns it: phase, conditions and container statuses. */
export function testPod(options: {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  containers?: TestContainer[];
  createdAt?: Date;
  /** For a Pending pod: why it is not scheduled (the PodScheduled condition's message). */
  unschedulable?: string;
  node?: string;
}): V1Pod {
  const phase = options.phase ?? 'Running';
  const containers = options.containers ?? [{ name: 'app' }];
  const createdAt = options.createdAt ?? new Date(Date.now() - 3_600_000);
  const statuses: V1ContainerStatus[] = containers.map((container) => ({
    name: container.name,
    image: container.image ?? `registry.example/${container.name}:1.0`,
    imageID: `registry.example/${container.name}@sha256:${'0'.repeat(64)}`,
    ready: container.ready ?? (phase === 'Running' && !container.waiting),
    restartCount: container.restarts ?? 0,
    started: !container.waiting,
    state: container.waiting
      ? { waiting: { reason: container.waiting.reason, ...(container.waiting.message ? { message: container.waiting.message } : {}) } }
      : { running: { startedAt: container.startedAt ?? createdAt } },
    ...(container.lastTerminated
      ? {
          lastState: {
            terminated: {
              reason: container.lastTerminated.reason,
              exitCode: container.lastTerminated.exitCode,
              startedAt: new Date(container.lastTerminated.finishedAt.getTime() - 60_000),
              finishedAt: container.lastTerminated.finishedAt,
            },
          },
        }
      : {}),
  }));
  const allReady = statuses.every((status) => status.ready);
  const conditions: V1PodCondition[] = options.unschedulable
    ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: options.unschedulable, lastTransitionTime: createdAt }]
    : [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: createdAt },
        { type: 'Initialized', status: 'True', lastTransitionTime: createdAt },
        { type: 'ContainersReady', status: allReady ? 'True' : 'False', lastTransitionTime: createdAt },
        { type: 'Ready', status: allReady ? 'True' : 'False', lastTransitionTime: createdAt, ...(allReady ? {} : { reason: 'ContainersNotReady' }) },
      ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels ?? {}, creationTimestamp: createdAt },
    spec: {
      containers: containers.map((container) => ({ name: container.name, image: container.image ?? `registry.example/${container.name}:1.0` })),
      ...(options.unschedulable ? {} : { nodeName: options.node ?? 'node-1' }),
    },
    status: {
      phase,
      conditions,
      ...(options.unschedulable ? {} : { containerStatuses: statuses, startTime: createdAt, podIP: '10.0.0.12' }),
    },
  };
}

/** A Deployment with its spec, template images and status counts; `stuck` adds ProgressDeadlineExceeded. */
export function testDeployment(options: {
  name: string;
  namespace: string;
  replicas: number;
  ready?: number;
  available?: number;
  updated?: number;
  images?: Record<string, string>;
  labels?: Record<string, string>;
  stuck?: boolean;
  progressDeadlineSeconds?: number;
  annotations?: Record<string, string>;
}): V1Deployment {
  const available = options.available ?? options.replicas;
  const images = options.images ?? { app: `registry.example/${options.name}:1.0` };
  const selector = { app: options.name };
  const now = new Date();
  const conditions: V1DeploymentCondition[] = [
    available >= options.replicas
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: now, lastTransitionTime: now }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.', lastUpdateTime: now, lastTransitionTime: now },
    options.stuck
      ? { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${options.name}-7d9f8c6b5" has timed out progressing.`, lastUpdateTime: now, lastTransitionTime: now }
      : { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${options.name}-7d9f8c6b5" has successfully progressed.`, lastUpdateTime: now, lastTransitionTime: now },
  ];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels ?? selector, generation: 1 },
    spec: {
      replicas: options.replicas,
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector, ...(options.annotations ? { annotations: options.annotations } : {}) },
        spec: { containers: Object.entries(images).map(([name, image]) => ({ name, image })) },
      },
    },
    status: {
      observedGeneration: 1,
      replicas: options.replicas,
      updatedReplicas: options.updated ?? options.replicas,
      readyReplicas: options.ready ?? available,
      availableReplicas: available,
      ...(available < options.replicas ? { unavailableReplicas: options.replicas - available } : {}),
      conditions,
    },
  };
}

/** A StatefulSet with its desired and ready/available counts. */
export function testStatefulSet(options: { name: string; namespace: string; replicas: number; ready?: number; labels?: Record<string, string> }): V1StatefulSet {
  const ready = options.ready ?? options.replicas;
  const selector = { app: options.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels ?? selector, generation: 1 },
    spec: {
      replicas: options.replicas,
      serviceName: options.name,
      selector: { matchLabels: selector },
      template: { metadata: { labels: selector }, spec: { containers: [{ name: options.name, image: `registry.example/${options.name}:1.0` }] } },
    },
    status: { observedGeneration: 1, replicas: options.replicas, readyReplicas: ready, availableReplicas: ready, currentReplicas: options.replicas, updatedReplicas: options.replicas },
  };
}

/** A core/v1 Event about one object. */
export function testEvent(options: {
  name: string;
  namespace: string;
  reason: string;
  message: string;
  involved: { kind: string; name: string };
  type?: 'Normal' | 'Warning';
  count?: number;
  lastSeen?: Date;
}): CoreV1Event {
  const lastSeen = options.lastSeen ?? new Date();
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: options.name, namespace: options.namespace },
    involvedObject: { kind: options.involved.kind, name: options.involved.name, namespace: options.namespace, apiVersion: options.involved.kind === 'Pod' ? 'v1' : 'apps/v1' },
    reason: options.reason,
    message: options.message,
    type: options.type ?? 'Warning',
    count: options.count ?? 1,
    firstTimestamp: new Date(lastSeen.getTime() - 60_000 * ((options.count ?? 1) - 1)),
    lastTimestamp: lastSeen,
    source: { component: 'kubelet', host: 'node-1' },
    reportingComponent: 'kubelet',
    reportingInstance: 'node-1',
  };
}

/** A Node with its Ready condition and the pressure conditions. */
export function testNode(options: { name: string; ready?: boolean; memoryPressure?: boolean; diskPressure?: boolean; pidPressure?: boolean }): V1Node {
  const now = new Date();
  const condition = (type: string, on: boolean, reason: string, message: string) => ({ type, status: on ? 'True' : 'False', reason, message, lastHeartbeatTime: now, lastTransitionTime: now });
  const ready = options.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: options.name, labels: { 'kubernetes.io/hostname': options.name } },
    spec: {},
    status: {
      conditions: [
        condition('MemoryPressure', options.memoryPressure ?? false, options.memoryPressure ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory', options.memoryPressure ? 'kubelet has insufficient memory available' : 'kubelet has sufficient memory available'),
        condition('DiskPressure', options.diskPressure ?? false, options.diskPressure ? 'KubeletHasDiskPressure' : 'KubeletHasNoDiskPressure', options.diskPressure ? 'kubelet has disk pressure' : 'kubelet has no disk pressure'),
        condition('PIDPressure', options.pidPressure ?? false, options.pidPressure ? 'KubeletHasInsufficientPID' : 'KubeletHasSufficientPID', options.pidPressure ? 'kubelet has insufficient PID available' : 'kubelet has sufficient PID available'),
        ready
          ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }
          : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: new Date(now.getTime() - 300_000), lastTransitionTime: now },
      ],
      nodeInfo: {
        architecture: 'amd64',
        bootID: 'boot',
        containerRuntimeVersion: 'containerd://1.7.0',
        kernelVersion: '6.1.0',
        kubeProxyVersion: 'v1.30.0',
        kubeletVersion: 'v1.30.0',
        machineID: 'machine',
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12',
        systemUUID: 'uuid',
      },
    },
  };
}

/** An autoscaling/v2 HorizontalPodAutoscaler of a Deployment; at its maximum it carries ScalingLimited=True. */
export function testHpa(options: { name: string; namespace: string; deployment: string; min: number; max: number; current: number; desired?: number }): V2HorizontalPodAutoscaler {
  const now = new Date();
  const atMax = options.current >= options.max;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: options.name, namespace: options.namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: options.deployment },
      minReplicas: options.min,
      maxReplicas: options.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
    status: {
      currentReplicas: options.current,
      desiredReplicas: options.desired ?? options.current,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: atMax ? 180 : 40 } } }],
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', lastTransitionTime: now },
        atMax
          ? { type: 'ScalingLimited', status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count', lastTransitionTime: now }
          : { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range', lastTransitionTime: now },
      ],
    },
  };
}

/** A cert-manager.io/v1 Certificate (no client model: a custom resource), with its Ready condition and expiry. */
export function testCertificate(options: { name: string; namespace: string; ready: boolean; notAfter: Date; reason?: string; message?: string; dnsNames?: string[] }): Record<string, unknown> & { metadata: { name: string; namespace: string } } {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: options.name, namespace: options.namespace },
    spec: { secretName: `${options.name}-tls`, dnsNames: options.dnsNames ?? [`${options.name}.example.com`], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: options.ready ? 'True' : 'False',
          reason: options.reason ?? (options.ready ? 'Ready' : 'Failed'),
          message: options.message ?? (options.ready ? 'Certificate is up to date and has not expired' : 'The certificate request has failed to complete and will be retried'),
          lastTransitionTime: new Date().toISOString(),
          observedGeneration: 1,
        },
      ],
      notAfter: options.notAfter.toISOString(),
      notBefore: new Date(options.notAfter.getTime() - 90 * 86_400_000).toISOString(),
      renewalTime: new Date(options.notAfter.getTime() - 30 * 86_400_000).toISOString(),
    },
  };
}
