import type pg from 'pg';
import { CodedError } from '../core/errors.js';
import { restoreTestEntrySchema, type RestoreTestEntry, type RestoreTestLog, type RestoreTestPage } from '../core/restore-tests.js';

const insertSql = 'insert into maintbot_restore_tests (at, target, dump, outcome, restore_ms, entry) values ($1, $2, $3, $4, $5, $6)';

const pageSql = `select entry, count(*) over () as total from maintbot_restore_tests
  where target = $1 order by at desc, id desc limit $2`;

/**
 * The restore-test history in the audit database's `maintbot_restore_tests`: one row per test, the whole entry
 * as JSON beside the columns a person filters by (time, target, dump, outcome, RTO).
 */
export class PostgresRestoreTestLog implements RestoreTestLog {
  constructor(private readonly pool: pg.Pool) {}

  async append(entry: RestoreTestEntry): Promise<void> {
    try {
      await this.pool.query(insertSql, [entry.at, entry.target, entry.dump, entry.outcome, entry.restore_ms ?? null, JSON.stringify(entry)]);
    } catch (error) {
      throw new CodedError('AUDIT_WRITE_FAILED', 'a restore test could not be stored in the audit database', { target: entry.target }, { cause: error });
    }
  }

  async ofTarget(target: string, limit: number): Promise<RestoreTestPage> {
    let rows: { entry: unknown; total: string }[];
    try {
      rows = (await this.pool.query<{ entry: unknown; total: string }>(pageSql, [target, limit])).rows;
    } catch (error) {
      throw new CodedError('AUDIT_READ_FAILED', 'restore tests could not be read from the audit database', { target }, { cause: error });
    }
    const entries = rows.flatMap((row) => {
      const parsed = restoreTestEntrySchema.safeParse(row.entry);
      return parsed.success ? [parsed.data] : [];
    });
    return { entries: entries.reverse(), total: Number(rows[0]?.total ?? 0) };
  }
}
