import type { ProbeFinding } from '../../../core/finding.js';
import { judgeHigh } from '../../../core/judge.js';
import { thresholdText } from '../../../render/figures.js';
import { formatSeconds } from '../../../render/units.js';
import { mysqlErrorCode, type MysqlSession } from '../connection.js';
import type { CheckContext } from './check.js';

type ReplicaRow = Record<string, string | number | null>;

/** `SHOW REPLICA STATUS` (MariaDB 10.5+, MySQL 8.0.22+), else `SHOW SLAVE STATUS`: no rows on a server that is no replica. */
async function replicaStatus(session: MysqlSession): Promise<ReplicaRow[]> {
  try {
    return await session.query<ReplicaRow>('SHOW REPLICA STATUS');
  } catch (error) {
    if (mysqlErrorCode(error) !== 'ER_PARSE_ERROR') throw error;
    return session.query<ReplicaRow>('SHOW SLAVE STATUS');
  }
}

function field(row: ReplicaRow, ...names: string[]): string | number | null | undefined {
  for (const name of names) if (name in row) return row[name];
  return undefined;
}

/** A replica's IO and SQL threads and its lag; a server that is no replica is ok ("not a replica"). */
export async function replicationCheck({ session, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const rows = await replicaStatus(session);
  const check = { checkId: 'mysql.replication', label: 'replication' };
  const threshold = `crit when a thread stops; lag ${thresholdText(formatSeconds(thresholds.replication_lag_warn_s), formatSeconds(thresholds.replication_lag_crit_s))}`;
  if (rows.length === 0) return [{ ...check, status: 'ok', text: 'not a replica' }];
  return rows.map((row) => {
    const io = String(field(row, 'Replica_IO_Running', 'Slave_IO_Running') ?? '?');
    const sql = String(field(row, 'Replica_SQL_Running', 'Slave_SQL_Running') ?? '?');
    const lagValue = field(row, 'Seconds_Behind_Source', 'Seconds_Behind_Master');
    const lag = lagValue === null || lagValue === undefined || lagValue === '' ? undefined : Number(lagValue);
    const source = `${field(row, 'Source_Host', 'Master_Host') ?? '?'}:${field(row, 'Source_Port', 'Master_Port') ?? '?'}`;
    const name = field(row, 'Connection_name');
    const lastError = [field(row, 'Last_IO_Error'), field(row, 'Last_SQL_Error')].filter((text) => typeof text === 'string' && text !== '');
    const threadsRunning = io === 'Yes' && sql === 'Yes';
    const status = !threadsRunning ? 'crit' : lag === undefined ? 'warn' : judgeHigh(lag, { warn: thresholds.replication_lag_warn_s, crit: thresholds.replication_lag_crit_s });
    const line: ProbeFinding = {
      ...check,
      ...(typeof name === 'string' && name !== '' ? { subject: name, label: `replication (${name})` } : {}),
      status,
      ...(lag === undefined ? {} : { measure: { value: lag, unit: 'seconds' as const } }),
      text: `IO thread ${io}, SQL thread ${sql}, ${lag === undefined ? 'lag unknown' : `${formatSeconds(lag)} behind`} ${source}`,
      threshold,
      detail: lastError.map((text) => `last error: ${String(text)}`),
    };
    if (status !== 'ok') {
      line.note = threadsRunning
        ? 'the replica applies changes late: look for long statements on it or a busy source'
        : 'the replica does not copy or apply changes: read the last error, fix it, then START REPLICA';
    }
    return line;
  });
}
