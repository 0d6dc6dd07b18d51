import pg from 'pg';

/**
 * A `pg.Client` whose socket is destroyed when `signal` aborts, so a hung server or a long statement
 * never outlives the step that asked for it. Errors after the end are swallowed (the caller's query
 * already rejected). Returns the client and the function that destroys it.
 */
export function abortableClient(config: pg.ClientConfig, signal: AbortSignal): { client: pg.Client; destroy: () => void } {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  const destroy = (): void => {
    client.connection.stream.destroy();
  };
  signal.addEventListener('abort', destroy, { once: true });
  client.once('end', () => signal.removeEventListener('abort', destroy));
  return { client, destroy };
}
