import { z } from 'zod';
import { parseDuration } from '../../core/duration.js';
import { targetNameSchema } from '../../core/target-name.js';
import { targetCommonFields } from '../../core/target-fields.js';

/** The actions that change a cluster; each must be listed in a target's `allow_actions`. */
export const kubernetesActions = ['rollout-restart', 'scale'] as const;
export type KubernetesAction = (typeof kubernetesActions)[number];

/** Where the kubelet mounts a pod's service-account token, CA and namespace. */
export const defaultServiceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

const duration = z.string().refine((text) => parseDuration(text) !== undefined, 'expected a duration such as 30s, 5m or 2h');
const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'expected a Kubernetes name: lower-case letters, digits and -');
const replicas = z.number().int('expected a whole number of replicas').nonnegative();
const bounds = z
  .object({ min: replicas, max: replicas })
  .strict()
  .refine((range) => range.min <= range.max, { message: 'min must not exceed max' });

const thresholdsSchema = z
  .object({
    /** Container restarts judged only when the last one happened within `restart_window`. */
    restarts_warn: z.number().int().positive().default(3),
    restarts_crit: z.number().int().positive().default(10),
    restart_window: duration.default('1h'),
    pending_warn: duration.default('5m'),
    pending_crit: duration.default('15m'),
    events_window: duration.default('30m'),
    /** Warning events (summed counts) in `events_window` per namespace. */
    events_warn: z.number().int().positive().default(1),
    events_crit: z.number().int().positive().default(50),
    certificate_warn_days: z.number().positive().default(21),
    certificate_crit_days: z.number().positive().default(7),
  })
  .strict()
  .refine((t) => t.restarts_warn <= t.restarts_crit, { message: 'restarts_warn must not exceed restarts_crit' })
  .refine((t) => parseDuration(t.pending_warn)! <= parseDuration(t.pending_crit)!, { message: 'pending_warn must not exceed pending_crit' })
  .refine((t) => t.events_warn <= t.events_crit, { message: 'events_warn must not exceed events_crit' })
  .refine((t) => t.certificate_crit_days <= t.certificate_warn_days, { message: 'certificate_crit_days must not exceed certificate_warn_days' });

/** One entry of `targets.kubernetes` in the config: how to reach the cluster, what to check, what may be changed. */
export const kubernetesTargetSchema = z
  .object({
    name: targetNameSchema,
    /** A kubeconfig file; default `$KUBECONFIG` (its first path), then `~/.kube/config`. */
    kubeconfig: z.string().min(1).optional(),
    /** A context of the kubeconfig; default its current-context. */
    context: z.string().min(1).optional(),
    /** Use the pod's service account (token and CA under `service_account_dir`) instead of a kubeconfig. */
    in_cluster: z.boolean().default(false),
    service_account_dir: z.string().min(1).default(defaultServiceAccountDir),
    /** The API server in-cluster; default `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`. */
    server: z.string().url().optional(),
    /** Namespaces to check; default the context's namespace (in-cluster: the pod's own), else `default`. */
    namespaces: z.array(dnsLabel).default([]),
    /** Deployments to check and act on, by name; with neither this nor label_selector, every Deployment is checked and none may be changed. */
    deployments: z.array(dnsLabel).default([]),
    /** A label selector (`app=shop,tier!=cache`) that narrows pods, Deployments and StatefulSets; matching Deployments may be acted on. */
    label_selector: z.string().min(1).optional(),
    allow_actions: z.array(z.enum(kubernetesActions)).default([]),
    /** Replica bounds for `/maint scale`: the default, and per Deployment. */
    scale: z
      .object({ min: replicas.default(1), max: replicas.default(10), deployments: z.record(dnsLabel, bounds).default({}) })
      .strict()
      .refine((range) => range.min <= range.max, { message: 'min must not exceed max' })
      .default({ min: 1, max: 10, deployments: {} }),
    /** Whether to check the cluster's nodes (needs a ClusterRole that may list nodes). */
    nodes: z.boolean().default(true),
    /** How long `/maint rollout-restart` follows the rollout at most; default the Deployment's progressDeadlineSeconds. */
    rollout_timeout: duration.optional(),
    rollout_poll_interval: duration.default('2s'),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    thresholds: thresholdsSchema.default({
      restarts_warn: 3,
      restarts_crit: 10,
      restart_window: '1h',
      pending_warn: '5m',
      pending_crit: '15m',
      events_window: '30m',
      events_warn: 1,
      events_crit: 50,
      certificate_warn_days: 21,
      certificate_crit_days: 7,
    }),
  })
  .strict();

/** A validated Kubernetes target, defaults filled in. */
export type KubernetesTarget = z.infer<typeof kubernetesTargetSchema>;

/** The thresholds of a Kubernetes target. */
export type KubernetesThresholds = KubernetesTarget['thresholds'];

/** The replica bounds `/maint scale` keeps for one Deployment. */
export function scaleBounds(target: KubernetesTarget, deployment: string): { min: number; max: number } {
  return target.scale.deployments[deployment] ?? { min: target.scale.min, max: target.scale.max };
}
