import type { ProbeFinding } from '../../core/finding.js';
import { parseDuration } from '../../core/duration.js';
import type { Probe } from '../../core/probe.js';
import { KubernetesCluster } from './cluster.js';
import { KubernetesForbidden } from './errors.js';
import { autoscalerFindings } from './probes/autoscalers.js';
import { certificateFindings } from './probes/certificates.js';
import { eventFindings } from './probes/events.js';
import { nodeFindings } from './probes/nodes.js';
import { podFindings } from './probes/pods.js';
import { deploymentFindings, missingDeploymentFindings, statefulSetFindings } from './probes/workloads.js';
import type { KubernetesTarget } from './target.js';

/**
 * Checks one cluster: per watched namespace its pods, Deployments, StatefulSets, Warning events, autoscalers
 * and (when cert-manager is installed) Certificates, and the cluster's nodes. A call the bot may not make
 * becomes one line naming the missing permission; the rest are still checked.
 */
export function createKubernetesProbe(target: KubernetesTarget, cluster: KubernetesCluster = new KubernetesCluster(target)): Probe {
  return {
    target: target.name,
    system: 'kubernetes',
    optional: target.optional,
    async run(signal) {
      const now = new Date();
      const namespaces = await cluster.namespaces();
      const certManager = await cluster.certManagerInstalled(signal).catch((error: unknown) => (error instanceof KubernetesForbidden ? false : Promise.reject(error)));
      const deploymentNames = new Map<string, string[]>();
      const perNamespace = namespaces.map(async (namespace) => [
        ...(await permitted(() => cluster.listPods(namespace, signal).then((pods) => podFindings(namespace, pods, target.thresholds, now)))),
        ...(await permitted(async () => {
          const deployments = await cluster.listDeployments(namespace, signal);
          deploymentNames.set(namespace, deployments.map((deployment) => deployment.metadata?.name ?? ''));
          return deploymentFindings(deployments, target.deployments);
        })),
        ...(await permitted(() => cluster.listStatefulSets(namespace, signal).then((sets) => statefulSetFindings(namespace, sets)))),
        ...(await permitted(() =>
          cluster.listEvents(namespace, signal, true).then((events) => [eventFindings(namespace, events, target.thresholds, parseDuration(target.thresholds.events_window)!, now)]),
        )),
        ...(await permitted(() => cluster.listHpas(namespace, signal).then((autoscalers) => autoscalerFindings(namespace, autoscalers)))),
        ...(certManager ? await permitted(() => cluster.listCertificates(namespace, signal).then((certificates) => certificateFindings(namespace, certificates, target.thresholds, now))) : []),
      ]);
      const nodes = target.nodes ? permitted(() => cluster.listNodes(signal).then(nodeFindings)) : Promise.resolve([]);
      const [namespaceFindings, nodeLines] = await Promise.all([Promise.all(perNamespace), nodes]);
      const missing = deploymentNames.size === namespaces.length ? missingDeploymentFindings(target.deployments, deploymentNames) : [];
      return [...nodeLines, ...namespaceFindings.flat(), ...missing];
    },
  };
}

/** The findings of one check, or one line naming the permission the API server refused. */
async function permitted(check: () => Promise<ProbeFinding[]>): Promise<ProbeFinding[]> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof KubernetesForbidden)) throw error;
    const where = error.namespace ?? 'cluster';
    return [
      {
        checkId: 'kubernetes.access',
        subject: `${error.permission.verb} ${error.permission.resource} ${where}`,
        status: 'unknown',
        label: `permission ${error.permission.verb} ${error.permission.resource}`,
        text: error.message,
        threshold: 'every check needs its read permission',
        note: `${error.hint ?? ''} Needed for ${error.permission.usedBy}.`.trim(),
      },
    ];
  }
}
