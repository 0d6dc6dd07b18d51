import net from 'node:net';

/**
 * A TCP proxy of the test's own in front of a server. Armed with `hold(text)`, it stops forwarding a connection
 * at the first chunk from the client that contains `text` (a statement, say), and everything after it, until
 * the client goes away: the statement never reaches the server, and the client waits for its answer for as
 * long as the test likes, with no lock or timer involved.
 */
export interface HoldingProxy {
  port: number;
  /** Holds the next connection that sends `text`; resolves once one did. */
  hold(text: string): Promise<void>;
  /** Passes everything from now on (a connection already held stays held). */
  passAll(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 and a free port to `target`. */
export async function startHoldingProxy(target: { host: string; port: number }): Promise<HoldingProxy> {
  let armed: { text: string; held: () => void } | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let holding = false;
    client.on('data', (chunk) => {
      if (!holding && armed && chunk.includes(armed.text)) {
        holding = true;
        armed.held();
        armed = undefined;
      }
      if (!holding) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('close', closeBoth);
      socket.on('error', closeBoth);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    hold: (text) => new Promise<void>((resolve) => (armed = { text, held: resolve })),
    passAll: () => (armed = undefined),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
