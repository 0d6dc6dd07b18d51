import type { V1Pod } from '@kubernetes/client-node';
import { didYouMean } from '../../core/did-you-mean.js';
import { CodedError, UserError } from '../../core/errors.js';
import type { LogBatch, LogEntry, LogLocation, LogRequest, LogSource } from '../../core/logs.js';
import { byTime, timestampedEntry } from '../../logs/timestamped.js';
import { KubernetesTargets, namespacesFor, type ClusterFactory } from './actions/targets.js';
import type { KubernetesCluster } from './cluster.js';
import { apiStatus } from './errors.js';
import type { KubernetesTarget } from './target.js';

const namesShown = 20;

interface LocatedPod {
  target: KubernetesTarget;
  cluster: KubernetesCluster;
  namespace: string;
  pod: string;
  /** The containers to read. */
  containers: string[];
  /** Every container of the pod. */
  all: string[];
  subject: string;
}

/** Splits what `GET …/pods/{name}/log?timestamps=true` answers into lines of `container`; both streams come interleaved, counted as stdout. */
export function parsePodLog(text: string, container: string): LogEntry[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => timestampedEntry(line, 'stdout', container));
}

/**
 * The logs of the pods of the configured Kubernetes targets: a pod by name in the watched namespaces (or
 * `namespace/pod`), among those `label_selector` admits; every container's lines, or only `--container`'s,
 * tagged with their container and ordered by time.
 */
export function kubernetesLogSource(targets: readonly KubernetesTarget[], connect?: ClusterFactory): LogSource {
  const clusters = new KubernetesTargets(targets, connect);
  return {
    system: 'kubernetes',
    workload: 'pod',
    targets: targets.map((target) => target.name),
    locate: async (request) => (await locatePod(clusters, request)).subject,
    async read(request: LogRequest): Promise<LogBatch> {
      const located = await locatePod(clusters, request);
      const window = { sinceSeconds: Math.max(1, Math.ceil(request.sinceMs / 1000)), tailLines: request.limit + 1 };
      const texts = await Promise.all(located.containers.map((container) => readContainer(located, container, window, request.signal)));
      const entries = texts.flat().sort(byTime);
      const capped = entries.length > request.limit;
      return { target: located.target.name, subject: located.subject, entries: capped ? entries.slice(-request.limit) : entries, capped, mixedStreams: true };
    },
  };
}

/** One container's lines; a container the API server has no log of (400: waiting to start) is a `UserError` pointing at the others. */
async function readContainer(located: LocatedPod, container: string, window: { sinceSeconds: number; tailLines: number }, signal: AbortSignal): Promise<LogEntry[]> {
  try {
    return parsePodLog(await located.cluster.readPodLog(located.namespace, located.pod, container, window, signal), container);
  } catch (error) {
    const refused = error instanceof CodedError ? apiStatus(error.cause) : undefined;
    if (refused?.code !== 400) throw error;
    const others = located.all.filter((name) => name !== container);
    throw new UserError(
      `Container ${container} of pod ${located.namespace}/${located.pod} has no log to read: ${refused.message ?? 'the API server refused it'}.`,
      others.length > 0 ? `Read the others with --container: ${others.join(', ')}.` : undefined,
    );
  }
}

async function locatePod(clusters: KubernetesTargets, request: LogLocation): Promise<LocatedPod> {
  const { target, cluster } = clusters.resolve(request.target);
  const slash = request.name.indexOf('/');
  const [asked, name] = slash > 0 ? [request.name.slice(0, slash), request.name.slice(slash + 1)] : [undefined, request.name];
  const namespaces = await namespacesFor(target, cluster, asked);
  const listed = (await Promise.all(namespaces.map((namespace) => cluster.listPods(namespace, request.signal)))).flat();
  const matches = listed.filter((pod) => pod.metadata?.name === name);
  if (matches.length > 1) {
    throw new UserError(`Pod ${name} exists in namespaces ${matches.map((pod) => pod.metadata?.namespace).join(' and ')} of Kubernetes target ${target.name}; name one as namespace/${name}.`);
  }
  const pod = matches[0];
  if (!pod) throw unknownPod(target, name, namespaces, listed);
  const namespace = pod.metadata!.namespace ?? namespaces[0]!;
  const all = (pod.spec?.containers ?? []).map((container) => container.name);
  if (request.container !== undefined && !all.includes(request.container)) {
    throw new UserError(
      `Pod ${namespace}/${name} has no container ${JSON.stringify(request.container.slice(0, 64))}. Its containers: ${all.join(', ')}.${didYouMean(request.container, all)}`,
      'Leave out --container to read them all.',
    );
  }
  const containers = request.container === undefined ? all : [request.container];
  const which = request.container === undefined ? '' : `container ${request.container} of `;
  return { target, cluster, namespace, pod: name, containers, all, subject: `${which}pod ${namespace}/${name} on Kubernetes target ${target.name}` };
}

function unknownPod(target: KubernetesTarget, name: string, namespaces: readonly string[], listed: readonly V1Pod[]): UserError {
  const names = [...new Set(listed.map((pod) => pod.metadata?.name ?? ''))].sort();
  const where = namespaces.length === 1 ? `namespace ${namespaces[0]}` : `namespaces ${namespaces.join(', ')}`;
  const shown = names.length > namesShown ? `${names.slice(0, namesShown).join(', ')} and ${names.length - namesShown} more` : names.join(', ') || 'none';
  const selector = target.label_selector === undefined ? '' : ` matching ${target.label_selector}`;
  return new UserError(
    `No pod named ${JSON.stringify(name.slice(0, 64))} in ${where} of Kubernetes target ${target.name}${selector}. Pods: ${shown}.${didYouMean(name, names)}`,
    '/maint pods lists them; name one in another watched namespace as namespace/pod.',
  );
}
