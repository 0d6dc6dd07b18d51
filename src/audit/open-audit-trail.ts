import type { Logger } from 'pino';
import type { AuditTrail } from './audit-trail.js';
import { JsonlAuditTrail } from './jsonl-audit-trail.js';

/** Where the audit trail goes, as in `config.audit`. */
export interface AuditSettings {
  database_url?: string;
  file: string;
}

/**
 * Opens the audit trail: the PostgreSQL table when a database URL is set, else the JSON-lines file.
 * Throws a `UserError` when the chosen place cannot be reached or written. pg loads only for the database.
 */
export async function openAuditTrail(settings: AuditSettings, logger: Logger): Promise<AuditTrail> {
  if (settings.database_url) return (await import('./postgres-audit-trail.js')).PostgresAuditTrail.open(settings.database_url, logger);
  return JsonlAuditTrail.open(settings.file, logger);
}
