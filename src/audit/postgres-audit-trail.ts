import pg from 'pg';
import type { Logger } from 'pino';
import { CodedError, UserError, errorMessage } from '../core/errors.js';
import { clampRecordCount } from './audit-limits.js';
import { migrateAuditSchema } from './audit-migrations.js';
import { auditEventFromRow, auditInsertColumns, auditInsertValues, type AuditRow } from './audit-rows.js';
import type { AuditEvent, AuditTrail } from './audit-trail.js';
import { PostgresRestoreTestLog } from './postgres-restore-tests.js';
import { postgresErrorCode } from '../core/pg-error-code.js';
import { maskUrl, withoutPassword } from '../core/mask.js';

const CONNECT_TIMEOUT_MS = 5000;
const STATEMENT_TIMEOUT_MS = 15_000;

const insertSql = `insert into maintbot_audit (${auditInsertColumns.join(', ')})
  values (${auditInsertColumns.map((_, index) => `$${index + 1}`).join(', ')})`;

const latestSql = `select ${auditInsertColumns.join(', ')} from maintbot_audit order by at desc, id desc limit $1`;

/** The audit trail in the bot's own PostgreSQL table `maintbot_audit`, and the restore-test history beside it. */
export class PostgresAuditTrail implements AuditTrail {
  /** The restore-test history, in `maintbot_restore_tests` of the same database. */
  readonly restoreTests: PostgresRestoreTestLog;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {
    this.restoreTests = new PostgresRestoreTestLog(pool);
  }

  /**
   * Connects to the audit database and brings its schema up to date.
   * Throws a `UserError` naming the masked URL when the database cannot be reached or prepared.
   */
  static async open(url: string, logger: Logger): Promise<PostgresAuditTrail> {
    const log = logger.child({ component: 'audit', database: maskUrl(url) });
    const pool = new pg.Pool({
      connectionString: url,
      max: 2,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      application_name: 'maintbot-audit',
    });
    pool.on('error', (error) => log.warn({ reason: withoutPassword(errorMessage(error), url) }, 'idle audit database connection failed'));
    try {
      await prepare(pool, url, log);
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return new PostgresAuditTrail(pool, log);
  }

  async record(event: AuditEvent): Promise<void> {
    try {
      await this.pool.query(insertSql, auditInsertValues(event));
    } catch (error) {
      this.logger.error(
        { code: 'AUDIT_WRITE_FAILED', reason: errorMessage(error), kind: event.kind, invocation: event.invocationId, outcome: event.outcome },
        'audit record not stored',
      );
    }
  }

  async latest(count: number): Promise<AuditEvent[]> {
    const limit = clampRecordCount(count);
    if (limit === 0) return [];
    try {
      const { rows } = await this.pool.query<AuditRow>(latestSql, [limit]);
      return rows.map(auditEventFromRow);
    } catch (error) {
      throw new CodedError('AUDIT_READ_FAILED', 'audit records could not be read from the database', {}, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.pool.ended) return;
    await this.pool.end();
  }
}

async function prepare(pool: pg.Pool, url: string, logger: Logger): Promise<void> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw new UserError(`audit database not reachable at ${maskUrl(url)} (${withoutPassword(connectFailure(error), url)})`);
  }
  try {
    const applied = await migrateAuditSchema(client);
    if (applied.length > 0) logger.info({ versions: applied }, 'audit database migrated');
  } catch (error) {
    throw new UserError(`audit database at ${maskUrl(url)} could not be prepared (${withoutPassword(errorMessage(error), url)})`);
  } finally {
    client.release();
  }
}

function connectFailure(error: unknown): string {
  const code = postgresErrorCode(error);
  if (isServerError(error)) return code ? `${code} ${errorMessage(error)}` : errorMessage(error);
  if (code) return code;
  const message = errorMessage(error);
  return /timeout/i.test(message) ? `no answer within ${CONNECT_TIMEOUT_MS / 1000} s` : message;
}

function isServerError(error: unknown): boolean {
  return error instanceof Error && 'severity' in error;
}

