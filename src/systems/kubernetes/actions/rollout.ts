import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Deployment } from '@kubernetes/client-node';
import type { KubernetesCluster } from '../cluster.js';
import { deploymentState } from '../probes/workloads.js';

/** Where a rollout stands, as `kubectl rollout status` judges it. */
export type RolloutStep = { done: false; stuck: false; text: string } | { done: true; stuck: false; text: string } | { done: false; stuck: true; text: string };

/** Judges a Deployment's rollout: the new spec observed, every replica updated, old ones gone, all available. */
export function rolloutStep(deployment: V1Deployment): RolloutStep {
  const state = deploymentState(deployment);
  const total = deployment.status?.replicas ?? 0;
  if (!state.observed) return { done: false, stuck: false, text: 'waiting for the controller to see the restart' };
  if (state.stuck) return { done: false, stuck: true, text: `rollout stuck (ProgressDeadlineExceeded): ${state.stuck}` };
  const counts = `${state.updated} of ${state.desired} updated, ${state.available} available`;
  if (state.updated < state.desired) return { done: false, stuck: false, text: `${counts}` };
  if (total > state.updated) return { done: false, stuck: false, text: `${counts}, ${total - state.updated} old ${total - state.updated === 1 ? 'replica' : 'replicas'} terminating` };
  if (state.available < state.updated) return { done: false, stuck: false, text: counts };
  return { done: true, stuck: false, text: `${state.updated} of ${state.desired} updated and available` };
}

/** How a followed rollout ended. */
export interface RolloutEnd {
  outcome: 'available' | 'stuck' | 'deadline';
  text: string;
  deployment: V1Deployment;
}

/**
 * Reads the Deployment every `pollMs` and reports each new step through `progress`, until it is rolled out,
 * stuck (ProgressDeadlineExceeded), or `deadlineMs` has passed.
 */
export async function followRollout(
  cluster: KubernetesCluster,
  where: { namespace: string; name: string },
  options: { pollMs: number; deadlineMs: number; signal: AbortSignal; progress(text: string): Promise<void> },
): Promise<RolloutEnd> {
  const deadline = Date.now() + options.deadlineMs;
  let shown = '';
  for (;;) {
    const deployment = await cluster.readDeployment(where.namespace, where.name, options.signal);
    const step = rolloutStep(deployment);
    if (step.done) return { outcome: 'available', text: step.text, deployment };
    if (step.stuck) return { outcome: 'stuck', text: step.text, deployment };
    if (step.text !== shown) {
      shown = step.text;
      await options.progress(`rollout of ${where.name}: ${step.text}`);
    }
    if (Date.now() >= deadline) return { outcome: 'deadline', text: step.text, deployment };
    await sleep(options.pollMs, undefined, { signal: options.signal });
  }
}
