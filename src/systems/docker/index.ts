import type { ContainerControl, SystemServices } from '../../core/system.js';
import { defineSystem } from '../../core/system.js';
import { dockerContainerActions } from './actions.js';
import { dockerStatusAction } from './status-action.js';
import { DockerActions } from './container-actions.js';
import { connectDockerEngine } from './engine.js';
import { dockerLogSource } from './logs.js';
import { logsAction } from '../../logs/logs-action.js';
import { createDockerProbe, dockerActionPolicy, dockerTargetSchema, type DockerTarget } from './probe.js';

export { dockerTargetSchema, type DockerTarget } from './probe.js';

/** Docker: container state and health, gated restart, stop and start, container logs; container control for other systems. */
export const dockerSystem = defineSystem({
  key: 'docker',
  system: 'docker',
  cardinality: 'many',
  targetSchema: dockerTargetSchema,
  probe: (target) => createDockerProbe(target),
  actions: (targets) => [...dockerContainerActions(targets), dockerStatusAction(targets), logsAction('docker.logs', [dockerLogSource(targets)])],
  logSource: (targets) => dockerLogSource(targets),
  services: (targets) => containerServices(targets),
  completions: {
    docker: (targets) => targets.map((target) => target.name),
    containers: (targets) => targets.flatMap((target) => target.containers),
  },
});

function containerServices(targets: readonly DockerTarget[]): Partial<SystemServices> {
  return {
    containerTargets: () => targets.map((target) => target.name),
    containers: (name): ContainerControl | undefined => {
      const target = targets.find((candidate) => candidate.name === name);
      if (!target) return undefined;
      const actions = new DockerActions(connectDockerEngine(target.socket), dockerActionPolicy(target));
      return {
        stop: async (container, signal) => void (await actions.stop(container, { signal })),
        start: async (container, signal) => void (await actions.start(container, { signal })),
      };
    },
  };
}
