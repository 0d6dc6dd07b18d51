import type { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { didYouMean } from '../../../core/did-you-mean.js';
import type { ProbeFinding } from '../../../core/finding.js';
import type { LineStatus } from '../../../core/status.js';
import { oneLine } from './pods.js';

/** The replica counts and rollout state of one Deployment, as the card and the health line show them. */
export interface DeploymentState {
  name: string;
  namespace: string;
  desired: number;
  ready: number;
  available: number;
  updated: number;
  images: string[];
  /** The Progressing condition says ProgressDeadlineExceeded. */
  stuck?: string;
  /** The controller has seen the latest spec. */
  observed: boolean;
}

/** The facts of a Deployment maintbot judges. */
export function deploymentState(deployment: V1Deployment): DeploymentState {
  const progressing = deployment.status?.conditions?.find((condition) => condition.type === 'Progressing');
  const stuck = progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded' ? oneLine(progressing.message ?? 'ProgressDeadlineExceeded') : undefined;
  return {
    name: deployment.metadata?.name ?? '',
    namespace: deployment.metadata?.namespace ?? '',
    desired: deployment.spec?.replicas ?? 1,
    ready: deployment.status?.readyReplicas ?? 0,
    available: deployment.status?.availableReplicas ?? 0,
    updated: deployment.status?.updatedReplicas ?? 0,
    images: (deployment.spec?.template.spec?.containers ?? []).map((container) => container.image ?? container.name),
    ...(stuck ? { stuck } : {}),
    observed: (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0),
  };
}

const deploymentThreshold = 'crit when none of the desired replicas is available or the rollout exceeded its progress deadline; warn when fewer are available than desired';

/** One finding per Deployment (available against desired, stuck rollouts), narrowed to the configured names when there are any. */
export function deploymentFindings(deployments: V1Deployment[], configured: readonly string[]): ProbeFinding[] {
  const selected = configured.length === 0 ? deployments : deployments.filter((deployment) => configured.includes(deployment.metadata?.name ?? ''));
  return selected.map((deployment) => judgeDeployment(deploymentState(deployment)));
}

/** One finding per configured Deployment that exists in none of the watched namespaces. */
export function missingDeploymentFindings(configured: readonly string[], namesByNamespace: ReadonlyMap<string, string[]>): ProbeFinding[] {
  const everywhere = [...namesByNamespace.values()].flat();
  const namespaces = [...namesByNamespace.keys()].join(', ');
  return configured
    .filter((name) => !everywhere.includes(name))
    .map((name) => ({
      checkId: 'kubernetes.deployment',
      subject: name,
      status: 'warn',
      label: `deployment ${name}`,
      text: 'no such Deployment',
      threshold: 'warn when a configured Deployment does not exist',
      note: `No Deployment ${name} in ${namespaces}; there are: ${everywhere.join(', ') || 'none'}.${didYouMean(name, everywhere)} Fix targets.kubernetes[].deployments.`,
    }));
}

function judgeDeployment(state: DeploymentState): ProbeFinding {
  let status: LineStatus = 'ok';
  const why: string[] = [];
  if (state.stuck) {
    status = 'crit';
    why.push(`rollout stuck (ProgressDeadlineExceeded): ${state.stuck}; look at the new pods' events, or roll back`);
  }
  if (state.desired > 0 && state.available === 0) {
    status = 'crit';
    why.push('no replica is available: the service is down');
  } else if (state.available < state.desired) {
    if (status === 'ok') status = 'warn';
    why.push(`${state.desired - state.available} of ${state.desired} replicas unavailable: look at its pods`);
  }
  return {
    checkId: 'kubernetes.deployment',
    subject: `${state.namespace}/${state.name}`,
    status,
    measure: { value: state.available, unit: 'count' },
    label: `deployment ${state.namespace}/${state.name}`,
    text: `${state.available} of ${state.desired} available · ${state.updated} updated · ${state.images.join(', ')}`,
    threshold: deploymentThreshold,
    ...(why.length > 0 ? { note: why.join('; ') } : {}),
  };
}

/** One finding per StatefulSet: ready against desired. */
export function statefulSetFindings(namespace: string, sets: V1StatefulSet[]): ProbeFinding[] {
  return sets.map((set) => {
    const name = set.metadata?.name ?? '';
    const desired = set.spec?.replicas ?? 1;
    const ready = set.status?.readyReplicas ?? 0;
    const available = set.status?.availableReplicas ?? ready;
    const status: LineStatus = desired > 0 && available === 0 ? 'crit' : available < desired ? 'warn' : 'ok';
    return {
      checkId: 'kubernetes.statefulset',
      subject: `${namespace}/${name}`,
      status,
      measure: { value: available, unit: 'count' },
      label: `statefulset ${namespace}/${name}`,
      text: `${available} of ${desired} available · ${ready} ready`,
      threshold: 'crit when none of the desired replicas is available; warn when fewer are available than desired',
      ...(status === 'ok' ? {} : { note: status === 'crit' ? 'no replica is available: the service is down' : `${desired - available} of ${desired} replicas unavailable: a StatefulSet replaces pods one at a time, so look at the lowest-numbered pod that is not ready` }),
    };
  });
}
