import type { PostgresConnection } from '../connection.js';

/** Server-side cap on each health query, so a stuck catalog read cannot pin a backend. */
const healthStatementTimeoutMs = 5000;

/** How a health check connects: pipelined, short statement timeout; failure is `TargetUnreachable`. */
export function healthConnection(url: string): PostgresConnection {
  return { url, applicationName: 'maintbot-health', statementTimeoutMs: healthStatementTimeoutMs, pipeline: true };
}
