import { defineSystem } from '../../core/system.js';
import { kubernetesActionDefinitions } from './actions/index.js';
import { loadClientLibrary } from './cluster.js';
import { kubernetesLogSource } from './logs.js';
import { createKubernetesProbe } from './probe.js';
import { kubernetesTargetSchema } from './target.js';

export { kubernetesTargetSchema, type KubernetesTarget } from './target.js';

/** Kubernetes: pods, workloads, events, nodes, autoscalers and certificates in the health report; gated rollout restart and scale; pod logs. */
export const kubernetesSystem = defineSystem({
  key: 'kubernetes',
  system: 'kubernetes',
  cardinality: 'many',
  targetSchema: kubernetesTargetSchema,
  probe: (target) => createKubernetesProbe(target),
  actions: (targets) => kubernetesActionDefinitions(targets),
  logSource: (targets) => kubernetesLogSource(targets),
  startup: async (targets) => {
    if (targets.length > 0) await loadClientLibrary();
  },
  completions: {
    kubernetes: (targets) => targets.map((target) => target.name),
    deployments: (targets) => [...new Set(targets.flatMap((target) => target.deployments))],
  },
});
