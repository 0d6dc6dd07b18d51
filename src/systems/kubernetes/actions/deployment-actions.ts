import type { V1Deployment } from '@kubernetes/client-node';
import { z } from 'zod';
import type { ActionContext, ActionDefinition, StepPlan } from '../../../core/action.js';
import { parseDuration } from '../../../core/duration.js';
import { UserError } from '../../../core/errors.js';
import { notice } from '../../../core/report.js';
import { formatSeconds } from '../../../render/units.js';
import { restartedAtAnnotation, type KubernetesCluster } from '../cluster.js';
import { KubernetesForbidden } from '../errors.js';
import { deploymentState } from '../probes/workloads.js';
import { scaleBounds, type KubernetesTarget } from '../target.js';
import { followRollout } from './rollout.js';
import { allowedDeployment, optionalText, type KubernetesTargets } from './targets.js';

const deploymentName = z.string().min(1, 'name a Deployment').max(253, 'is too long for a Deployment name');
const restartInputs = z.object({ target: optionalText, namespace: optionalText, deployment: deploymentName });
const scaleInputs = restartInputs.extend({
  replicas: z.preprocess((value) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value), z.number({ message: 'expected a whole number of replicas' }).int('expected a whole number of replicas').nonnegative('expected 0 or more replicas')),
});

const planned = z.object({ namespace: z.string(), name: z.string(), uid: z.string() });

/** The lines every Deployment card shows: the namespace, replicas ready of desired, and the images. */
function deploymentLines(deployment: V1Deployment): string[] {
  const state = deploymentState(deployment);
  const containers = deployment.spec?.template.spec?.containers ?? [];
  return [
    `namespace: ${state.namespace}`,
    `replicas: ${state.ready} ready of ${state.desired} desired (${state.available} available, ${state.updated} updated)`,
    `images: ${containers.map((container) => `${container.name}=${container.image ?? '?'}`).join(', ')}`,
  ];
}

function plannedData(deployment: V1Deployment): z.output<typeof planned> {
  return { namespace: deployment.metadata?.namespace ?? '', name: deployment.metadata?.name ?? '', uid: deployment.metadata?.uid ?? '' };
}

/** Reads the approved Deployment again and checks it is the same object (not deleted and recreated since). */
async function approvedDeployment(cluster: KubernetesCluster, target: KubernetesTarget, context: ActionContext): Promise<z.output<typeof planned> & { current: V1Deployment }> {
  const approved = planned.safeParse(context.approvedPlan?.data);
  if (!approved.success) throw new UserError('This step runs only after approval of its plan; nothing was done.');
  const current = await cluster.readDeployment(approved.data.namespace, approved.data.name, context.signal);
  if (current.metadata?.uid !== approved.data.uid) {
    throw new UserError(`Deployment ${approved.data.name} in ${approved.data.namespace} on Kubernetes target ${target.name} is not the one that was approved (it was recreated since); nothing was done. Ask again to see a fresh plan.`);
  }
  return { ...approved.data, current };
}

/**
 * `kubernetes.rollout-restart`: after approval, patches the pod template's restartedAt annotation exactly as
 * `kubectl rollout restart` does (a strategic merge patch), then follows the rollout on the card until every
 * replica is updated and available, it is stuck, or the deadline passes (a failed step).
 */
export function rolloutRestartAction(clusters: KubernetesTargets): ActionDefinition<z.output<typeof restartInputs>> {
  return {
    name: 'kubernetes.rollout-restart',
    destructive: true,
    inputs: restartInputs,
    async plan(input, context): Promise<StepPlan> {
      const { target, cluster } = clusters.resolve(input.target);
      const deployment = await allowedDeployment('rollout-restart', target, cluster, input.deployment, input.namespace, context.signal);
      const { namespace, name } = plannedData(deployment);
      const state = deploymentState(deployment);
      const deadlineMs = rolloutDeadlineMs(target, deployment);
      return {
        summary: `rollout restart deployment ${name} in namespace ${namespace} on Kubernetes target ${target.name} (${state.ready} of ${state.desired} ready)`,
        detail: [
          `command: kubectl rollout restart deployment/${name} -n ${namespace}`,
          ...deploymentLines(deployment),
          `patch: spec.template.metadata.annotations["${restartedAtAnnotation}"] = the time of the restart (strategic merge patch); the pods are replaced one by one as the rollout strategy allows`,
          `then: follows the rollout for up to ${formatSeconds(deadlineMs / 1000)}`,
        ],
        lockKey: `kubernetes:${target.name}/${namespace}/${name}`,
        data: plannedData(deployment),
      };
    },
    async run(input, context) {
      const { target, cluster } = clusters.resolve(input.target);
      const { namespace, name } = await approvedDeployment(cluster, target, context);
      const at = new Date();
      const patched = await cluster.restartDeployment(namespace, name, at, context.signal);
      await context.progress(`restart of ${name} requested at ${at.toISOString()}; following the rollout…`);
      const started = Date.now();
      const end = await followRollout(cluster, { namespace, name }, {
        pollMs: parseDuration(target.rollout_poll_interval)!,
        deadlineMs: rolloutDeadlineMs(target, patched),
        signal: context.signal,
        progress: (text) => context.progress(text),
      });
      const took = formatSeconds((Date.now() - started) / 1000);
      const output = { namespace, deployment: name, restartedAt: at.toISOString(), outcome: end.outcome };
      if (end.outcome === 'available') {
        const sentence = `Deployment ${name} in ${namespace} restarted: ${end.text} after ${took}.`;
        return { summary: `restarted deployment ${name}: ${end.text}`, message: notice('info', sentence), output };
      }
      const failure = end.outcome === 'stuck' ? `Deployment ${name} in ${namespace}: ${end.text}.` : `Deployment ${name} in ${namespace} did not finish its rollout within ${took}: ${end.text}.`;
      return { summary: failure, message: notice('error', `${failure} Look at its new pods (/maint pods ${namespace}) and events (/maint events ${namespace}).`), output, failure };
    },
  };
}

/** The HorizontalPodAutoscaler that scales this Deployment, described; undefined when none does or the bot may not list them. */
async function autoscalerOf(cluster: KubernetesCluster, namespace: string, name: string, signal: AbortSignal): Promise<string | undefined> {
  const autoscalers = await cluster.listHpas(namespace, signal).catch((error: unknown) => (error instanceof KubernetesForbidden ? [] : Promise.reject(error)));
  const hpa = autoscalers.find((candidate) => candidate.spec?.scaleTargetRef.kind === 'Deployment' && candidate.spec.scaleTargetRef.name === name);
  return hpa ? `HorizontalPodAutoscaler ${hpa.metadata?.name} (min ${hpa.spec?.minReplicas ?? 1}, max ${hpa.spec?.maxReplicas})` : undefined;
}

function rolloutDeadlineMs(target: KubernetesTarget, deployment: V1Deployment): number {
  return target.rollout_timeout ? parseDuration(target.rollout_timeout)! : (deployment.spec?.progressDeadlineSeconds ?? 600) * 1000;
}

/**
 * `kubernetes.scale`: after approval, sets a Deployment's replicas through its scale subresource (as `kubectl
 * scale` does), within the bounds config gives it; a count outside them is refused while planning.
 */
export function scaleAction(clusters: KubernetesTargets): ActionDefinition<z.output<typeof scaleInputs>> {
  return {
    name: 'kubernetes.scale',
    destructive: true,
    inputs: scaleInputs,
    async plan(input, context): Promise<StepPlan> {
      const { target, cluster } = clusters.resolve(input.target);
      const bounds = scaleBounds(target, input.deployment);
      if (input.replicas < bounds.min || input.replicas > bounds.max) {
        throw new UserError(
          `${input.replicas} replicas is outside the bounds of deployment ${input.deployment} on Kubernetes target ${target.name}: ${bounds.min} to ${bounds.max}.`,
          'Config: targets.kubernetes[].scale (min, max, and per Deployment under deployments).',
        );
      }
      const deployment = await allowedDeployment('scale', target, cluster, input.deployment, input.namespace, context.signal);
      const { namespace, name } = plannedData(deployment);
      const current = deploymentState(deployment).desired;
      if (current === input.replicas) throw new UserError(`Deployment ${name} in ${namespace} already has ${current} replicas; nothing to do.`);
      const autoscaler = await autoscalerOf(cluster, namespace, name, context.signal);
      return {
        summary: `scale deployment ${name} in namespace ${namespace} on Kubernetes target ${target.name} from ${current} to ${input.replicas} replicas`,
        detail: [
          `command: kubectl scale deployment/${name} -n ${namespace} --replicas=${input.replicas}`,
          `replicas: ${current} → ${input.replicas} (allowed ${bounds.min} to ${bounds.max})`,
          ...deploymentLines(deployment),
          ...(autoscaler ? [`warning: ${autoscaler} manages its replicas and will scale it back within its own bounds; change the autoscaler instead to keep a new count`] : []),
        ],
        lockKey: `kubernetes:${target.name}/${namespace}/${name}`,
        data: plannedData(deployment),
      };
    },
    async run(input, context) {
      const { target, cluster } = clusters.resolve(input.target);
      const { namespace, name, current } = await approvedDeployment(cluster, target, context);
      const before = deploymentState(current).desired;
      const now = await cluster.scaleDeployment(namespace, name, input.replicas, context.signal);
      return {
        summary: `scaled deployment ${name} from ${before} to ${now} replicas`,
        message: notice('info', `Deployment ${name} in ${namespace} scaled from ${before} to ${now} replicas.`),
        output: { namespace, deployment: name, before, replicas: now },
      };
    },
  };
}
