import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import { stringify } from 'yaml';
import { makeClusterCertificates, type ClusterCertificates } from './certificates.js';
import { groupVersion, qualifiedResource, resourceKinds, type ResourceKind } from './resources.js';
import { fieldAt, matchesTerms, parseFieldSelector, parseLabelSelector } from './selectors.js';

/** One request the fake received, as tests assert on it. */
export interface RecordedRequest {
  method: string;
  /** The path without the query, e.g. `/apis/apps/v1/namespaces/shop/deployments/web`. */
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
  /** Who the request authenticated as (the client certificate's CN or the token's user); undefined when it did not. */
  user?: string;
  /** The Kubernetes verb the request meant: get, list, watch, patch, create, update, delete. */
  verb: string;
  /** The resource (with `/subresource`), e.g. `deployments/scale`; undefined for discovery. */
  resource?: string;
  namespace?: string;
}

/** A permission the fake refuses with 403, as RBAC would. */
export interface Refusal {
  verb: string;
  /** `pods`, or `deployments/scale` for a subresource. */
  resource: string;
  /** Undefined: in every namespace (and for cluster-scoped kinds). */
  namespace?: string;
}

type Json = Record<string, unknown>;

/** A JSON object as the API server stores and answers it. */
export type StoredObject = Json & { metadata: Json & { name: string; namespace?: string } };

interface Route {
  kind: ResourceKind;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** An RBAC rule as a Role or ClusterRole states it; `namespace` undefined: a ClusterRole's rule, valid everywhere. */
export interface GrantedRule {
  namespace?: string;
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** One line a container wrote, as the kubelet keeps it for `GET …/pods/{name}/log`. */
export interface PodLogLine {
  at: Date;
  text: string;
}

/** Options of `startFakeKubernetes`. */
export interface FakeKubernetesOptions {
  /** Whether cert-manager's Certificate CRD is installed (served in discovery and under /apis/cert-manager.io). */
  certManager?: boolean;
  /** Bearer tokens the server accepts, with the user each authenticates as. */
  tokens?: Record<string, string>;
}

/**
 * A Kubernetes API server on 127.0.0.1 over TLS (its own CA), keeping objects in memory with the real wire
 * shapes (models serialized by the official client's ObjectSerializer), list semantics with labelSelector and
 * fieldSelector, get / list / patch (strategic merge and merge patch) and the `scale` subresource of
 * Deployments, pod logs (`pods/{name}/log` as plain text with container, timestamps, sinceSeconds and tailLines;
 * 400 for a container that never started),
 * discovery of the API groups, and V1Status answers for 401, 403, 404, 409 and 400.
 * Every request is recorded.
 */
export class FakeKubernetes {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, StoredObject[]>();
  private readonly refusals: Refusal[] = [];
  private grants: GrantedRule[] | undefined;
  private readonly podLogs = new Map<string, PodLogLine[]>();
  private readonly rollouts = new Map<string, { armed: boolean; statuses: Json[] }>();
  private readonly sockets = new Set<Socket>();
  private resourceVersion = 1000;
  private stalled = false;
  private certManagerInstalled: boolean;

  private constructor(
    private readonly server: Server,
    readonly certificates: ClusterCertificates,
    readonly url: string,
    private readonly tokens: Record<string, string>,
    certManager: boolean,
  ) {
    this.certManagerInstalled = certManager;
  }

  /** Starts the fake on a free port of 127.0.0.1 with freshly made certificates. */
  static async start(options: FakeKubernetesOptions = {}): Promise<FakeKubernetes> {
    const certificates = await makeClusterCertificates();
    const started: { fake?: FakeKubernetes } = {};
    const server = createServer(
      { key: certificates.serverKeyPem, cert: certificates.serverCertPem, ca: certificates.caPem, requestCert: true, rejectUnauthorized: false },
      (request, response) => void started.fake!.handle(request, response),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the fake API server has no port');
    const fake = new FakeKubernetes(server, certificates, `https://127.0.0.1:${address.port}`, options.tokens ?? {}, options.certManager ?? false);
    started.fake = fake;
    server.on('connection', (socket: Socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    return fake;
  }

  /** Adds or replaces an object (a client model such as `V1Pod`, or plain JSON for a custom resource). */
  put(resource: string, object: object): StoredObject {
    const kind = kindOf(resource);
    const json = (kind.model ? ObjectSerializer.serialize(object, kind.model, '') : structuredClone(object)) as StoredObject;
    json.apiVersion = groupVersion(kind);
    json.kind = kind.kind;
    json.metadata.resourceVersion = String(++this.resourceVersion);
    json.metadata.uid ??= `uid-${json.metadata.name}-${this.resourceVersion}`;
    json.metadata.creationTimestamp ??= new Date().toISOString();
    const list = this.list(kind).filter((item) => !sameObject(item, json));
    list.push(json);
    this.objects.set(kind.resource, list);
    return json;
  }

  /** The stored object, as JSON; undefined when there is none. */
  get(resource: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.list(kindOf(resource)).find((item) => item.metadata.name === name && item.metadata.namespace === namespace);
  }

  /** Appends lines to what a container of a pod has written (the pod's log subresource serves them). */
  writePodLog(namespace: string, pod: string, container: string, lines: readonly PodLogLine[]): void {
    const key = `${namespace}/${pod}/${container}`;
    this.podLogs.set(key, [...(this.podLogs.get(key) ?? []), ...lines]);
  }

  /** Answers requests of `verb` on `resource` (in `namespace`, or everywhere) with 403 Forbidden from now on. */
  forbid(refusal: Refusal): void {
    this.refusals.push(refusal);
  }

  /** From now on, answers 403 to every request no rule grants, as RBAC does (discovery stays open). */
  enforce(rules: GrantedRule[]): void {
    this.grants = rules;
  }

  /** Forgets every refusal: RBAC grants everything again. */
  clearRefusals(): void {
    this.refusals.splice(0);
  }

  /** Installs or removes cert-manager's Certificate CRD. */
  setCertManager(installed: boolean): void {
    this.certManagerInstalled = installed;
  }

  /**
   * Scripts the rollout a controller would drive: after the next PATCH of this Deployment, each later GET
   * of it first applies the next of `statuses` (observedGeneration follows the new generation).
   */
  scriptRollout(namespace: string, name: string, statuses: Json[]): void {
    this.rollouts.set(`${namespace}/${name}`, { armed: false, statuses: [...statuses] });
  }

  /** While true, requests are received but never answered (an API server that hangs). */
  stall(stalled: boolean): void {
    this.stalled = stalled;
  }

  /** Requests that match, e.g. `{ method: 'PATCH' }`. */
  requestsWhere(match: Partial<Pick<RecordedRequest, 'method' | 'path' | 'verb' | 'resource' | 'namespace'>>): RecordedRequest[] {
    return this.requests.filter((request) => Object.entries(match).every(([key, value]) => request[key as keyof RecordedRequest] === value));
  }

  /** Writes a kubeconfig that reaches the fake with the client certificate (default) or a token; returns its path. */
  async writeKubeconfig(dir: string, options: { auth?: 'certificate' | { token: string }; context?: string; namespace?: string; file?: string } = {}): Promise<string> {
    const context = options.context ?? 'fake';
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    const auth = options.auth ?? 'certificate';
    const user =
      auth === 'certificate'
        ? { 'client-certificate-data': base64(this.certificates.clientCertPem), 'client-key-data': base64(this.certificates.clientKeyPem) }
        : { token: auth.token };
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake-cluster', cluster: { server: this.url, 'certificate-authority-data': base64(this.certificates.caPem) } }],
      users: [{ name: `${context}-user`, user }],
      contexts: [{ name: context, context: { cluster: 'fake-cluster', user: `${context}-user`, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
      'current-context': context,
    };
    const path = join(dir, options.file ?? 'kubeconfig');
    await writeFile(path, stringify(config));
    return path;
  }

  /** Writes a service-account folder (token, ca.crt, namespace) as the kubelet mounts it in a pod; returns its path. */
  async writeServiceAccount(dir: string, options: { token: string; namespace: string }): Promise<string> {
    const folder = join(dir, 'serviceaccount');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'token'), options.token);
    await writeFile(join(folder, 'ca.crt'), this.certificates.caPem);
    await writeFile(join(folder, 'namespace'), options.namespace);
    return folder;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private list(kind: ResourceKind): StoredObject[] {
    return this.objects.get(kind.resource) ?? [];
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const body = await readBody(request);
    const route = parseRoute(url.pathname, this.certManagerInstalled);
    const verb = verbOf(request.method ?? 'GET', route, url.searchParams);
    const user = this.authenticate(request);
    const contentType = request.headers['content-type'];
    this.requests.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(contentType ? { contentType } : {}),
      ...(body === undefined ? {} : { body }),
      ...(user ? { user } : {}),
      verb,
      ...(route ? { resource: route.subresource ? `${route.kind.resource}/${route.subresource}` : route.kind.resource } : {}),
      ...(route?.namespace ? { namespace: route.namespace } : {}),
    });
    if (this.stalled) return;
    if (user === undefined) return send(response, status(401, 'Unauthorized', 'Unauthorized'));
    if (url.pathname === '/apis' && request.method === 'GET') return send(response, this.groupList());
    if (url.pathname === '/version') return send(response, { major: '1', minor: '30', gitVersion: 'v1.30.0-fake' });
    if (!route) return send(response, status(404, 'NotFound', 'the server could not find the requested resource'));
    const resource = route.subresource ? `${route.kind.resource}/${route.subresource}` : route.kind.resource;
    const refused = this.refusals.find((refusal) => refusal.verb === verb && refusal.resource === resource && (refusal.namespace === undefined || refusal.namespace === route.namespace));
    const granted = (rule: GrantedRule) =>
      rule.apiGroups.includes(route.kind.group) && rule.resources.includes(resource) && rule.verbs.includes(verb) && (rule.namespace === undefined || rule.namespace === route.namespace);
    if (refused || (this.grants !== undefined && !this.grants.some(granted))) return send(response, forbidden(user, verb, route));
    if (verb === 'list') return this.answerList(response, route, url.searchParams);
    if (verb === 'get' && route.kind.resource === 'pods' && route.subresource === 'log') return this.answerPodLog(response, route, url.searchParams);
    if (verb === 'get') return this.answerGet(response, route);
    if (verb === 'patch') return this.answerPatch(response, route, contentType, body);
    return send(response, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
  }

  private authenticate(request: IncomingMessage): string | undefined {
    const socket = request.socket as TLSSocket;
    if (socket.authorized) {
      const subject = socket.getPeerCertificate().subject as unknown as Record<string, string> | undefined;
      if (subject?.CN) return subject.CN;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    return bearer === undefined ? undefined : this.tokens[bearer];
  }

  private groupList(): Json {
    const groups = [...new Set(resourceKinds.filter((kind) => kind.group !== '' && (kind.group !== 'cert-manager.io' || this.certManagerInstalled)).map((kind) => kind.group))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((group) => {
        const version = resourceKinds.find((kind) => kind.group === group)!.version;
        const preferred = { groupVersion: `${group}/${version}`, version };
        return { name: group, versions: [preferred], preferredVersion: preferred };
      }),
    };
  }

  private answerList(response: ServerResponse, route: Route, query: URLSearchParams): void {
    const labels = parseLabelSelector(query.get('labelSelector') ?? '');
    if (!labels) return send(response, status(400, 'BadRequest', `unable to parse requirement: ${query.get('labelSelector')}`));
    const fields = parseFieldSelector(query.get('fieldSelector') ?? '');
    if (!fields) return send(response, status(400, 'BadRequest', `invalid selector: '${query.get('fieldSelector')}'; can't understand '${query.get('fieldSelector')}'`));
    const unsupported = fields.find((term) => !['metadata.name', 'metadata.namespace', ...route.kind.selectableFields].includes(term.key));
    if (unsupported) return send(response, status(400, 'BadRequest', `field label not supported: ${unsupported.key}`));
    const items = this.list(route.kind).filter(
      (item) =>
        (route.namespace === undefined || item.metadata.namespace === route.namespace) &&
        matchesTerms(labels, (key) => (item.metadata.labels as Record<string, string> | undefined)?.[key]) &&
        matchesTerms(fields, (key) => fieldAt(item, key)),
    );
    send(response, { apiVersion: groupVersion(route.kind), kind: `${route.kind.kind}List`, metadata: { resourceVersion: String(this.resourceVersion) }, items });
  }

  private answerGet(response: ServerResponse, route: Route): void {
    const object = this.get(route.kind.resource, route.namespace, route.name!);
    if (!object) return send(response, notFound(route));
    if (route.subresource === 'scale') return send(response, scaleOf(object));
    if (route.subresource) return send(response, status(404, 'NotFound', 'the server could not find the requested resource'));
    const rollout = this.rollouts.get(`${route.namespace}/${route.name}`);
    const next = rollout?.armed ? rollout.statuses.shift() : undefined;
    if (next) {
      object.status = { ...(object.status as Json), ...next, observedGeneration: object.metadata.generation };
      object.metadata.resourceVersion = String(++this.resourceVersion);
    }
    send(response, object);
  }

  /** As the real server: one container's lines, the only one's when the pod has one, else 400 naming the choices. */
  private answerPodLog(response: ServerResponse, route: Route, query: URLSearchParams): void {
    const pod = this.get('pods', route.namespace, route.name!);
    if (!pod) return send(response, notFound(route));
    const containers = (((pod.spec as Json | undefined)?.containers ?? []) as { name: string }[]).map((container) => container.name);
    const container = query.get('container') ?? (containers.length === 1 ? containers[0]! : undefined);
    if (container === undefined) return send(response, status(400, 'BadRequest', `a container name must be specified for pod ${route.name}, choose one of: [${containers.join(' ')}]`));
    if (!containers.includes(container)) return send(response, status(400, 'BadRequest', `container ${container} is not valid for pod ${route.name}`));
    const state = ((((pod.status as Json | undefined)?.containerStatuses ?? []) as Json[]).find((entry) => entry.name === container) ?? {}) as { state?: { waiting?: { reason?: string } }; lastState?: { terminated?: unknown } };
    if (state.state?.waiting && !state.lastState?.terminated) {
      return send(response, status(400, 'BadRequest', `container "${container}" in pod "${route.name}" is waiting to start: ${state.state.waiting.reason ?? 'unknown'}`));
    }
    let lines = this.podLogs.get(`${route.namespace}/${route.name}/${container}`) ?? [];
    const sinceSeconds = query.get('sinceSeconds');
    if (sinceSeconds !== null) lines = lines.filter((line) => line.at.getTime() >= Date.now() - Number(sinceSeconds) * 1000);
    const tailLines = query.get('tailLines');
    if (tailLines !== null) lines = Number(tailLines) === 0 ? [] : lines.slice(-Number(tailLines));
    const stamped = query.get('timestamps') === 'true';
    const text = lines.map((line) => (stamped ? `${line.at.toISOString().replace(/Z$/, '000000Z')} ${line.text}` : line.text)).join('\n');
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.end(lines.length > 0 ? `${text}\n` : '');
  }

  private answerPatch(response: ServerResponse, route: Route, contentType: string | undefined, body: unknown): void {
    const patchTypes = ['application/strategic-merge-patch+json', 'application/merge-patch+json'];
    if (!contentType || !patchTypes.includes(contentType.split(';')[0]!.trim())) {
      return send(response, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${patchTypes.join(', ')}`));
    }
    if (body === undefined || body === null || typeof body !== 'object') return send(response, status(400, 'BadRequest', 'the patch is not a JSON object'));
    const object = this.get(route.kind.resource, route.namespace, route.name!);
    if (!object) return send(response, notFound(route));
    const wanted = ((body as Json).metadata as Json | undefined)?.resourceVersion;
    if (wanted !== undefined && wanted !== object.metadata.resourceVersion) {
      return send(response, status(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(route.kind)} "${route.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: route.name, group: route.kind.group, kind: route.kind.resource }));
    }
    const patch = route.subresource === 'scale' ? { spec: { replicas: ((body as Json).spec as Json | undefined)?.replicas } } : (body as Json);
    const specBefore = JSON.stringify(object.spec);
    mergePatch(object, patch);
    if (JSON.stringify(object.spec) !== specBefore) object.metadata.generation = Number(object.metadata.generation ?? 1) + 1;
    object.metadata.resourceVersion = String(++this.resourceVersion);
    const rollout = route.kind.resource === 'deployments' ? this.rollouts.get(`${route.namespace}/${route.name}`) : undefined;
    if (rollout) rollout.armed = true;
    send(response, route.subresource === 'scale' ? scaleOf(object) : object);
  }
}

/** Starts a fake Kubernetes API server (see `FakeKubernetes`). */
export function startFakeKubernetes(options?: FakeKubernetesOptions): Promise<FakeKubernetes> {
  return FakeKubernetes.start(options);
}

function kindOf(resource: string): ResourceKind {
  const kind = resourceKinds.find((candidate) => candidate.resource === resource);
  if (!kind) throw new Error(`the fake API server does not serve ${resource}`);
  return kind;
}

function sameObject(a: StoredObject, b: StoredObject): boolean {
  return a.metadata.name === b.metadata.name && a.metadata.namespace === b.metadata.namespace;
}

function parseRoute(path: string, certManager: boolean): Route | undefined {
  const match = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
  if (!match) return undefined;
  const [, coreVersion, group = '', groupVersionName, namespace, resource, name, subresource] = match;
  const version = coreVersion ?? groupVersionName;
  const kind = resourceKinds.find((candidate) => candidate.group === group && candidate.version === version && candidate.resource === resource);
  if (!kind || (kind.group === 'cert-manager.io' && !certManager)) return undefined;
  if (kind.namespaced !== (namespace !== undefined) && !(kind.namespaced && namespace === undefined && name === undefined)) return undefined;
  return { kind, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
}

function verbOf(method: string, route: Route | undefined, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
      return route?.name === undefined ? (query.get('watch') === 'true' ? 'watch' : 'list') : 'get';
    case 'PATCH':
      return 'patch';
    case 'PUT':
      return 'update';
    case 'POST':
      return 'create';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(response: ServerResponse, body: Json): void {
  const code = body.kind === 'Status' ? Number(body.code) : 200;
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function status(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function forbidden(user: string, verb: string, route: Route): Json {
  const resource = route.subresource ? `${route.kind.resource}/${route.subresource}` : route.kind.resource;
  const subject = route.name ? `${qualifiedResource(route.kind)} "${route.name}"` : qualifiedResource(route.kind);
  const scope = route.namespace ? ` in the namespace "${route.namespace}"` : ' at the cluster scope';
  return status(403, 'Forbidden', `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${route.kind.group}"${scope}`, {
    ...(route.name ? { name: route.name } : {}),
    ...(route.kind.group ? { group: route.kind.group } : {}),
    kind: route.kind.resource,
  });
}

function notFound(route: Route): Json {
  return status(404, 'NotFound', `${qualifiedResource(route.kind)} "${route.name}" not found`, { name: route.name, ...(route.kind.group ? { group: route.kind.group } : {}), kind: route.kind.resource });
}

function scaleOf(object: StoredObject): Json {
  const spec = object.spec as Json;
  const statusOf = (object.status ?? {}) as Json;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: object.metadata.name, namespace: object.metadata.namespace, resourceVersion: object.metadata.resourceVersion, uid: object.metadata.uid },
    spec: { replicas: spec.replicas },
    status: { replicas: statusOf.replicas ?? 0 },
  };
}

/** JSON merge patch (RFC 7386): objects merge, `null` deletes, anything else (lists too) replaces. */
function mergePatch(target: Json, patch: Json): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (typeof value === 'object' && !Array.isArray(value)) {
      const current = target[key];
      const into = current !== null && typeof current === 'object' && !Array.isArray(current) ? (current as Json) : {};
      mergePatch(into, value as Json);
      target[key] = into;
    } else target[key] = value;
  }
}
