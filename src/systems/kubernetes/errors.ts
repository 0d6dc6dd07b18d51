import { CodedError, UserError, errorMessage } from '../../core/errors.js';
import { TargetUnreachable } from '../../core/probe.js';
import { describePermission, type KubernetesPermission } from './permissions.js';

/** Where the least-privilege Role and ClusterRole ship. */
export const rbacManifest = 'docs/kubernetes/rbac.yaml';

/** A 403 from the API server: which permission is missing, where, and for whom. */
export class KubernetesForbidden extends UserError {
  constructor(
    readonly permission: KubernetesPermission,
    readonly namespace: string | undefined,
    readonly user: string | undefined,
  ) {
    const where = namespace === undefined ? 'cluster-wide' : `in namespace ${namespace}`;
    super(
      `forbidden: ${user ?? 'the bot'} may not ${describePermission(permission)} ${where}`,
      `Grant it with a ${permission.scope === 'cluster' ? 'ClusterRole' : 'Role'} (see ${rbacManifest}).`,
    );
  }
}

/** A 404 from the API server for a named object. */
export class KubernetesNotFound extends UserError {}

/** The HTTP status and the V1Status body of an answer the client raised as an error. */
export function apiStatus(error: unknown): { code: number; reason?: string; message?: string } | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'number' || !(error instanceof Error) || error.name === 'FetchError') return undefined;
  const body = (error as { body?: unknown }).body;
  try {
    const status = typeof body === 'string' ? (JSON.parse(body) as { reason?: unknown; message?: unknown }) : undefined;
    return {
      code,
      ...(typeof status?.reason === 'string' ? { reason: status.reason } : {}),
      ...(typeof status?.message === 'string' ? { message: status.message } : {}),
    };
  } catch {
    return { code };
  }
}

/**
 * Turns what the client threw into what maintbot shows: an abort stays an abort, no answer at all is
 * `TargetUnreachable`, 403 is `KubernetesForbidden`, 404 `KubernetesNotFound`, anything else a coded error.
 */
export function translateApiError(error: unknown, permission: KubernetesPermission, namespace: string | undefined, server: string, name?: string): Error {
  if (isAbort(error)) return error as Error;
  const status = apiStatus(error);
  if (status === undefined) {
    const code = (error as { code?: unknown } | null)?.code;
    return new TargetUnreachable(`Kubernetes API server ${server} not reachable${typeof code === 'string' ? ` (${code})` : ''}`, { cause: error });
  }
  if (status.code === 401) return new TargetUnreachable(`Kubernetes API server ${server} refused the credentials (401 Unauthorized)`, { cause: error });
  if (status.code === 403) return new KubernetesForbidden(permission, namespace, /User "([^"]+)"/.exec(status.message ?? '')?.[1]);
  if (status.code === 404 && name !== undefined) {
    return new KubernetesNotFound(`No ${permission.resource.replace(/s$/, '')} named ${name} in namespace ${namespace}.`);
  }
  return new CodedError(
    'KUBERNETES_API_FAILED',
    `Kubernetes API server refused to ${describePermission(permission)}: ${status.code} ${status.reason ?? ''} ${status.message ?? errorMessage(error)}`,
    { server, namespace, status: status.code },
    { cause: error },
  );
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { type?: unknown }).type === 'aborted');
}
