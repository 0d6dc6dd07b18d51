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
}

/** The running server; `port` is the one actually bound. */
export interface ObservabilityServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `/healthz` (200 while the process runs), `/readyz` (200 when ready, else 503 with what is down, as
 * JSON) and `/metrics` (Prometheus text) over plain HTTP.
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
  const path = (request.url ?? '/').split('?')[0];
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

function send(response: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
