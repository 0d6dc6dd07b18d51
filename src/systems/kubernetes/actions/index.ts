import type { AnyActionDefinition } from '../../../core/action.js';
import type { KubernetesTarget } from '../target.js';
import { rolloutRestartAction, scaleAction } from './deployment-actions.js';
import { eventsAction, podsAction } from './listings.js';
import { KubernetesTargets, type ClusterFactory } from './targets.js';

/** `kubernetes.pods`, `kubernetes.events`, `kubernetes.rollout-restart` and `kubernetes.scale` over the configured targets. */
export function kubernetesActionDefinitions(targets: readonly KubernetesTarget[], connect?: ClusterFactory): AnyActionDefinition[] {
  const clusters = new KubernetesTargets(targets, connect);
  return [podsAction(clusters), eventsAction(clusters), rolloutRestartAction(clusters), scaleAction(clusters)];
}
