import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CoreV1Event,
  CustomObjectsApi,
  ApisApi,
  ConfigurationOptions,
  KubeConfig,
  ObservableMiddleware,
  V1Deployment,
  V1Node,
  V1Pod,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { UserError } from '../../core/errors.js';
import { translateApiError } from './errors.js';
import { kubernetesPermissions, type KubernetesPermission } from './permissions.js';
import type { KubernetesTarget } from './target.js';

type ClientLibrary = typeof import('@kubernetes/client-node');

let library: Promise<ClientLibrary> | undefined;

/**
 * Loads `@kubernetes/client-node` once, so a bot without a Kubernetes target never does. Start-up preloads it when
 * there is one: the import takes about a second, which the first health check must not pay inside its timeout.
 */
export function loadClientLibrary(): Promise<ClientLibrary> {
  library ??= import('@kubernetes/client-node');
  return library;
}

/** A cert-manager.io/v1 Certificate, as far as maintbot reads it (a custom resource: no client model). */
export interface CertificateResource {
  metadata: { name: string; namespace?: string };
  spec?: { secretName?: string; dnsNames?: string[] };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    notAfter?: string;
    renewalTime?: string;
  };
}

interface Apis {
  library: ClientLibrary;
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  autoscaling: AutoscalingV2Api;
  custom: CustomObjectsApi;
  discovery: ApisApi;
  defaultNamespace: string;
}

/** The annotation `kubectl rollout restart` sets on the pod template. */
export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

/**
 * The calls maintbot makes on one cluster, through the official client: connected on first use from the
 * target's kubeconfig (or the pod's service account), each call cancelled by its signal, every error
 * translated (`translateApiError`): no answer → unreachable, 403 → the missing permission.
 */
export class KubernetesCluster {
  private apis: Promise<Apis> | undefined;

  constructor(readonly target: KubernetesTarget) {}

  /** The API server's address, for messages. */
  async server(): Promise<string> {
    return (await this.connect()).config.getCurrentCluster()?.server ?? 'unknown';
  }

  /** The namespaces this target watches: the configured ones, else the context's (or the pod's) namespace. */
  async namespaces(): Promise<string[]> {
    return this.target.namespaces.length > 0 ? [...this.target.namespaces] : [(await this.connect()).defaultNamespace];
  }

  listPods(namespace: string, signal: AbortSignal): Promise<V1Pod[]> {
    return this.call(kubernetesPermissions.listPods, namespace, signal, async ({ core }, options) =>
      (await core.listNamespacedPod({ namespace, ...this.labelSelector() }, options)).items,
    );
  }

  /** One container's log of a pod, each line led by its RFC 3339 time: the last `tailLines` of the last `sinceSeconds`. */
  readPodLog(namespace: string, pod: string, container: string, window: { sinceSeconds: number; tailLines: number }, signal: AbortSignal): Promise<string> {
    return this.call(kubernetesPermissions.getPodLog, namespace, signal, ({ core }, options) =>
      core.readNamespacedPodLog({ namespace, name: pod, container, timestamps: true, ...window }, options),
    );
  }

  /** Events of a namespace, newest first; only warnings when `warningsOnly`. */
  listEvents(namespace: string, signal: AbortSignal, warningsOnly: boolean): Promise<CoreV1Event[]> {
    return this.call(kubernetesPermissions.listEvents, namespace, signal, async ({ core }, options) =>
      (await core.listNamespacedEvent({ namespace, ...(warningsOnly ? { fieldSelector: 'type=Warning' } : {}) }, options)).items,
    );
  }

  listDeployments(namespace: string, signal: AbortSignal): Promise<V1Deployment[]> {
    return this.call(kubernetesPermissions.listDeployments, namespace, signal, async ({ apps }, options) =>
      (await apps.listNamespacedDeployment({ namespace, ...this.labelSelector() }, options)).items,
    );
  }

  readDeployment(namespace: string, name: string, signal: AbortSignal): Promise<V1Deployment> {
    return this.call(kubernetesPermissions.getDeployment, namespace, signal, ({ apps }, options) => apps.readNamespacedDeployment({ namespace, name }, options), name);
  }

  listStatefulSets(namespace: string, signal: AbortSignal): Promise<V1StatefulSet[]> {
    return this.call(kubernetesPermissions.listStatefulSets, namespace, signal, async ({ apps }, options) =>
      (await apps.listNamespacedStatefulSet({ namespace, ...this.labelSelector() }, options)).items,
    );
  }

  listHpas(namespace: string, signal: AbortSignal): Promise<V2HorizontalPodAutoscaler[]> {
    return this.call(kubernetesPermissions.listHpas, namespace, signal, async ({ autoscaling }, options) =>
      (await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, options)).items,
    );
  }

  listNodes(signal: AbortSignal): Promise<V1Node[]> {
    return this.call(kubernetesPermissions.listNodes, undefined, signal, async ({ core }, options) => (await core.listNode({}, options)).items);
  }

  /** Whether cert-manager's API group is served (API discovery, which every authenticated user may read). */
  async certManagerInstalled(signal: AbortSignal): Promise<boolean> {
    const groups = await this.call(kubernetesPermissions.listCertificates, undefined, signal, ({ discovery }, options) => discovery.getAPIVersions({}, options));
    return groups.groups.some((group) => group.name === 'cert-manager.io' && group.versions.some((version) => version.version === 'v1'));
  }

  listCertificates(namespace: string, signal: AbortSignal): Promise<CertificateResource[]> {
    return this.call(kubernetesPermissions.listCertificates, namespace, signal, async ({ custom }, options) => {
      const list = (await custom.listNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace, plural: 'certificates' }, options)) as { items?: CertificateResource[] };
      return list.items ?? [];
    });
  }

  /** What `kubectl rollout restart` does: a strategic merge patch of the pod template's restartedAt annotation. */
  restartDeployment(namespace: string, name: string, at: Date, signal: AbortSignal): Promise<V1Deployment> {
    const body = { spec: { template: { metadata: { annotations: { [restartedAtAnnotation]: at.toISOString() } } } } };
    return this.call(
      kubernetesPermissions.patchDeployment,
      namespace,
      signal,
      ({ apps }, options) => apps.patchNamespacedDeployment({ namespace, name, body }, options),
      name,
      'application/strategic-merge-patch+json',
    );
  }

  /** What `kubectl scale` does: a merge patch of the Deployment's scale subresource. */
  async scaleDeployment(namespace: string, name: string, replicas: number, signal: AbortSignal): Promise<number> {
    const scale = await this.call(
      kubernetesPermissions.patchDeploymentScale,
      namespace,
      signal,
      ({ apps }, options) => apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } } }, options),
      name,
      'application/merge-patch+json',
    );
    return scale.spec?.replicas ?? replicas;
  }

  private labelSelector(): { labelSelector?: string } {
    return this.target.label_selector ? { labelSelector: this.target.label_selector } : {};
  }

  private async call<T>(
    permission: KubernetesPermission,
    namespace: string | undefined,
    signal: AbortSignal,
    request: (apis: Apis, options: ConfigurationOptions) => Promise<T>,
    name?: string,
    contentType?: string,
  ): Promise<T> {
    signal.throwIfAborted();
    const apis = await this.connect();
    const middleware: ObservableMiddleware = {
      pre: (context) => {
        context.setSignal(signal);
        if (contentType) context.setHeaderParam('Content-Type', contentType);
        return new apis.library.Observable(Promise.resolve(context));
      },
      post: (response) => new apis.library.Observable(Promise.resolve(response)),
    };
    try {
      return await request(apis, { middleware: [middleware], middlewareMergeStrategy: 'append' });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw translateApiError(error, permission, namespace, apis.config.getCurrentCluster()?.server ?? 'unknown', name);
    }
  }

  private connect(): Promise<Apis> {
    this.apis ??= connect(this.target).catch((error: unknown) => {
      this.apis = undefined;
      throw error;
    });
    return this.apis;
  }
}

async function connect(target: KubernetesTarget): Promise<Apis> {
  const library = await loadClientLibrary();
  const config = new library.KubeConfig();
  let defaultNamespace: string | undefined;
  if (target.in_cluster) defaultNamespace = loadInCluster(config, target);
  else defaultNamespace = loadKubeconfig(config, target);
  return {
    library,
    config,
    core: config.makeApiClient(library.CoreV1Api),
    apps: config.makeApiClient(library.AppsV1Api),
    autoscaling: config.makeApiClient(library.AutoscalingV2Api),
    custom: config.makeApiClient(library.CustomObjectsApi),
    discovery: config.makeApiClient(library.ApisApi),
    defaultNamespace: defaultNamespace ?? 'default',
  };
}

/** The kubeconfig a target reads: its own, else the first of `$KUBECONFIG`, else `~/.kube/config` (a leading `~/` is the home folder). */
export function kubeconfigPath(target: Pick<KubernetesTarget, 'kubeconfig'>, environment: NodeJS.ProcessEnv = process.env): string {
  const fromEnvironment = environment.KUBECONFIG?.split(':').find((path) => path !== '');
  const path = target.kubeconfig ?? fromEnvironment ?? join(homedir(), '.kube', 'config');
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function loadKubeconfig(config: KubeConfig, target: KubernetesTarget): string | undefined {
  const path = kubeconfigPath(target);
  const hint = `Config: targets.kubernetes[] "${target.name}" keys kubeconfig and context (default $KUBECONFIG, then ~/.kube/config).`;
  if (!existsSync(path)) throw new UserError(`kubeconfig ${path} not found`, hint);
  try {
    config.loadFromFile(path);
  } catch (error) {
    throw new UserError(`kubeconfig ${path} cannot be read: ${(error as Error).message.split('\n')[0]}`, hint);
  }
  if (target.context !== undefined) {
    if (!config.getContextObject(target.context)) {
      throw new UserError(`kubeconfig ${path} has no context ${target.context}; it has: ${config.getContexts().map((context) => context.name).join(', ') || 'none'}`, hint);
    }
    config.setCurrentContext(target.context);
  }
  if (!config.getCurrentCluster()) throw new UserError(`kubeconfig ${path} names no cluster for context ${config.getCurrentContext() || '(none)'}`, hint);
  return config.getContextObject(config.getCurrentContext())?.namespace;
}

function loadInCluster(config: KubeConfig, target: KubernetesTarget): string | undefined {
  const dir = target.service_account_dir;
  const tokenFile = join(dir, 'token');
  const hint = `in_cluster reads the service account under ${dir} (targets.kubernetes[].service_account_dir).`;
  if (!existsSync(tokenFile)) throw new UserError(`no service-account token at ${tokenFile}: is the bot running in a pod with automountServiceAccountToken?`, hint);
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  const server = target.server ?? (host && port ? `https://${host.includes(':') ? `[${host}]` : host}:${port}` : undefined);
  if (!server) throw new UserError('in_cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set; set targets.kubernetes[].server', hint);
  config.loadFromClusterAndUser(
    { name: 'in-cluster', server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false },
    { name: 'service-account', authProvider: { name: 'tokenFile', config: { tokenFile } } },
  );
  const namespaceFile = join(dir, 'namespace');
  return existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : undefined;
}
