import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { CodedError } from '../core/errors.js';
import type { Readiness } from './readiness.js';

/** What the observability server answers from. */
export interface ObservabilityServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  readiness(): Promise<Readiness>;
  metrics(): Promise<{ contentType: string; text: string }>;
  /** POST endpoints by path, e.g. `/alerts/alertmanager`. */
  posts?: ReadonlyMap<string, PostEndpoint>;
}

/** What a POST endpoint answers: a status and a JSON body. */
export interface PostAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * A POST endpoint of the observability server. `authorize` sees the `Authorization` header before the body
 * is read (its refusal is sent as is); a body over `maxBodyBytes` is refused with 413 and never handled.
 *
 * @example
 * { maxBodyBytes: 65536, authorize: (header) => (header === 'Bearer s3cret' ? undefined : { status: 401, body: { error: 'unauthorized' } }),
 *   handle: async (body) => ({ status: 200, body: { received: body.length } }) }
 */
export interface PostEndpoint {
  maxBodyBytes: number;
  authorize(authorization: string | undefined): PostAnswer | undefined;
  handle(body: string): Promise<PostAnswer>;
}

/** The running server; `port` is the one actually bound. */
export interface ObservabilityServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `/healthz` (200 while the process runs), `/readyz` (200 when ready, else 503 with what is down, as
 * JSON) and `/metrics` (Prometheus text) over plain HTTP, and the `posts` endpoints.
 */
export async function startObservabilityServer(options: ObservabilityServerOptions): Promise<ObservabilityServer> {
  const server = createServer((request, response) => {
    void answer(request, response, options).catch((error: unknown) => {
      options.logger.error({ err: error, path: request.url }, 'observability request failed');
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new CodedError('OBSERVABILITY_LISTEN', `cannot serve /healthz and /metrics on ${options.host}:${options.port} (${error.code ?? error.message}); set observability.port, or 0 for any free port`, {}, { cause: error })),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ host: options.host, port }, 'observability endpoints listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(request: IncomingMessage, response: ServerResponse, options: ObservabilityServerOptions): Promise<void> {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const post = options.posts?.get(path);
  if (post) {
    if (request.method === 'POST') await answerPost(request, response, post);
    else send(response, 405, 'text/plain; charset=utf-8', 'only POST\n', { allow: 'POST' });
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, 'text/plain; charset=utf-8', 'only GET\n', { allow: 'GET, HEAD' });
    return;
  }
  switch (path) {
    case '/healthz':
      send(response, 200, 'application/json', '{"status":"ok"}\n');
      return;
    case '/readyz': {
      const readiness = await options.readiness();
      const body = readiness.ready ? { status: 'ready' } : { status: 'unready', down: readiness.down };
      send(response, readiness.ready ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
      return;
    }
    case '/metrics': {
      const { contentType, text } = await options.metrics();
      send(response, 200, contentType, text);
      return;
    }
    default:
      send(response, 404, 'text/plain; charset=utf-8', 'not found: try /healthz, /readyz or /metrics\n');
  }
}

async function answerPost(request: IncomingMessage, response: ServerResponse, endpoint: PostEndpoint): Promise<void> {
  const refused = endpoint.authorize(request.headers.authorization);
  if (refused) {
    sendJson(response, refused, { connection: 'close' });
    return;
  }
  const body = await readBody(request, endpoint.maxBodyBytes);
  if (body === undefined) {
    sendJson(response, { status: 413, body: { status: 'error', error: `the body is over ${endpoint.maxBodyBytes} bytes` } }, { connection: 'close' });
    response.once('finish', () => request.destroy());
    return;
  }
  sendJson(response, await endpoint.handle(body));
}

/** The body as UTF-8, or undefined once it is over `maxBytes` (the rest is not read). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  if (Number(request.headers['content-length'] ?? 0) > maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData).pause();
      resolve(undefined);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.once('error', reject);
  });
}

function sendJson(response: ServerResponse, answer: PostAnswer, headers: Record<string, string> = {}): void {
  send(response, answer.status, 'application/json', `${JSON.stringify(answer.body)}\n`, { ...answer.headers, ...headers });
}

function send(response: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
