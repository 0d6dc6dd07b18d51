import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP load balancer of the test's own: one URL, each request forwarded to the next target in turn. */
export interface RoundRobinProxy {
  /** The proxy's URL with the path of the first target, e.g. `http://127.0.0.1:PORT/discord/interactions`. */
  url: string;
  /** The target each request went to, in order. */
  forwarded: string[];
  close(): Promise<void>;
}

/** Starts the proxy on 127.0.0.1 and a free port in front of `targets` (URLs of the same path on different servers). */
export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  const forwarded: string[] = [];
  const server = createServer((incoming, outgoing) => {
    const target = targets[forwarded.length % targets.length]!;
    forwarded.push(target);
    const upstream = request(new URL(incoming.url ?? '/', target), { method: incoming.method, headers: incoming.headers, agent: false }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${new URL(targets[0]!).pathname}`,
    forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
