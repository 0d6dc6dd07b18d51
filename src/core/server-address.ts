/**
 * `host:port` of the server a connection URL reaches (`postgres://…`, `redis://…`, `mysql://…`), with the
 * scheme's default port; the health runner bounds the probes of one server by this key. Undefined when the URL
 * cannot be read. A PostgreSQL URL's `?host=` (e.g. a socket folder) wins over its authority, as libpq does.
 */
export function serverAddress(url: string, defaultPort: number): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.searchParams.get('host') || decodeURIComponent(parsed.hostname) || 'localhost';
  const port = parsed.searchParams.get('port') || parsed.port || String(defaultPort);
  return `${host.toLowerCase()}:${port}`;
}

/** `Probe.server` of a probe of `system` at `address`, or nothing when the address cannot be read. */
export function server(address: string | undefined, system: string): { server?: string } {
  return address === undefined ? {} : { server: `${system} ${address}` };
}

/**
 * Who reads a server through a connection URL: its scheme, user, `host:port` and connection parameters, without
 * the database (path and the `databaseParam` parameter) and the password. Two URLs with the same reader see the
 * same server-wide state, so one health run reads it once for both (`SharedReads`).
 */
export function serverReader(url: string, defaultPort: number, databaseParam: string): string {
  const parsed = new URL(url);
  const params = [...parsed.searchParams].filter(([name]) => name !== databaseParam).sort(([a], [b]) => a.localeCompare(b));
  return `${parsed.protocol} ${decodeURIComponent(parsed.username)}@${serverAddress(url, defaultPort) ?? parsed.host} ${new URLSearchParams(params).toString()}`;
}
