import type { V1Deployment } from '@kubernetes/client-node';
import { z } from 'zod';
import { didYouMean } from '../../../core/did-you-mean.js';
import { UserError } from '../../../core/errors.js';
import { KubernetesCluster } from '../cluster.js';
import type { KubernetesAction, KubernetesTarget } from '../target.js';

/** Treats `""` and `null` as not given, as a runbook leaves a parameter nobody passed. */
export const optionalText = z.preprocess((value) => (value === '' || value === null ? undefined : value), z.string().min(1).optional());

/** Makes the cluster client of a target; tests may hand in their own. */
export type ClusterFactory = (target: KubernetesTarget) => KubernetesCluster;

/** The configured Kubernetes targets with one client each, made on first use. */
export class KubernetesTargets {
  private readonly clusters = new Map<string, KubernetesCluster>();

  constructor(
    readonly targets: readonly KubernetesTarget[],
    private readonly connect: ClusterFactory = (target) => new KubernetesCluster(target),
  ) {}

  /** The target named (or the only one), with its client; a `UserError` naming the targets otherwise. */
  resolve(name: string | undefined): { target: KubernetesTarget; cluster: KubernetesCluster } {
    const target = resolveTarget(this.targets, name);
    let cluster = this.clusters.get(target.name);
    if (!cluster) {
      cluster = this.connect(target);
      this.clusters.set(target.name, cluster);
    }
    return { target, cluster };
  }
}

function resolveTarget(targets: readonly KubernetesTarget[], name: string | undefined): KubernetesTarget {
  const names = targets.map((target) => target.name);
  if (targets.length === 0) throw new UserError('No Kubernetes target is configured.', 'Config: targets.kubernetes[] in the bot config.');
  if (name === undefined) {
    if (targets.length > 1) throw new UserError(`Several Kubernetes targets are configured; name one with --target: ${names.join(', ')}.`);
    return targets[0]!;
  }
  const found = targets.find((target) => target.name === name);
  if (!found) throw new UserError(`No Kubernetes target named ${JSON.stringify(name.slice(0, 64))}. Kubernetes targets: ${names.join(', ')}.${didYouMean(name, names)}`);
  return found;
}

/** The namespaces to look in: the one asked for (which the target must watch), else every watched one. */
export async function namespacesFor(target: KubernetesTarget, cluster: KubernetesCluster, namespace: string | undefined): Promise<string[]> {
  const watched = await cluster.namespaces();
  if (namespace === undefined) return watched;
  if (target.namespaces.length > 0 && !watched.includes(namespace)) {
    throw new UserError(`Namespace ${JSON.stringify(namespace.slice(0, 64))} is not watched by Kubernetes target ${target.name}. Watched: ${watched.join(', ')}.${didYouMean(namespace, watched)}`, 'Config: targets.kubernetes[].namespaces.');
  }
  return [namespace];
}

const configHint = 'Config: targets.kubernetes[] keys deployments, label_selector and allow_actions.';

/**
 * The Deployment `name` that config lets `action` change: the action in `allow_actions`, the Deployment in a
 * watched namespace, listed by `deployments` and matching `label_selector` (the API server judges the selector).
 * A `UserError` saying what is allowed otherwise; several namespaces with the name ask for `--namespace`.
 */
export async function allowedDeployment(
  action: KubernetesAction,
  target: KubernetesTarget,
  cluster: KubernetesCluster,
  name: string,
  namespace: string | undefined,
  signal: AbortSignal,
): Promise<V1Deployment> {
  if (!target.allow_actions.includes(action)) {
    const allowed = target.allow_actions.length > 0 ? target.allow_actions.join(', ') : 'none';
    throw new UserError(`${action} is not allowed on Kubernetes target ${target.name}. Allowed actions: ${allowed}.`, configHint);
  }
  if (target.deployments.length === 0 && target.label_selector === undefined) {
    throw new UserError(`No Deployment may be changed on Kubernetes target ${target.name}: config names none.`, configHint);
  }
  const namespaces = await namespacesFor(target, cluster, namespace);
  const listed = await Promise.all(namespaces.map((candidate) => cluster.listDeployments(candidate, signal)));
  const allowed = listed.flat().filter((deployment) => target.deployments.length === 0 || target.deployments.includes(deployment.metadata?.name ?? ''));
  const matches = allowed.filter((deployment) => deployment.metadata?.name === name);
  if (matches.length === 1) return matches[0]!;
  const where = namespaces.length === 1 ? `namespace ${namespaces[0]}` : `namespaces ${namespaces.join(', ')}`;
  if (matches.length > 1) {
    throw new UserError(`Deployment ${name} exists in ${matches.map((deployment) => deployment.metadata?.namespace).join(' and ')}; name one with --namespace.`);
  }
  const names = [...new Set(allowed.map((deployment) => deployment.metadata?.name ?? ''))].sort();
  throw new UserError(
    `No Deployment named ${JSON.stringify(name.slice(0, 64))} that Kubernetes target ${target.name} may change in ${where}. Allowed: ${names.join(', ') || 'none'}.${didYouMean(name, names)}`,
    configHint,
  );
}
