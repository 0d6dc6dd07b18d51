import type { ProbeFinding } from '../../../core/finding.js';
import { checkOrUnknown } from '../../../core/probe.js';
import { mysqlServerMessage, type MysqlSession } from '../connection.js';
import type { MysqlThresholds } from './thresholds.js';

/** Server-wide figures read once per run: `SHOW GLOBAL STATUS` and the variables the checks judge against. */
export interface ServerState {
  status: Map<string, number>;
  variables: Map<string, string>;
}

/** What every MySQL check gets: the run's connection, the server's figures, the thresholds and the run's clock. */
export interface CheckContext {
  session: MysqlSession;
  server: ServerState;
  thresholds: MysqlThresholds;
  now: Date;
  /** The databases whose sizes and fragmentation are reported. */
  databases: string[];
}

/** One check: reads what it needs and judges it into findings. */
export type Check = (context: CheckContext) => Promise<ProbeFinding[]> | ProbeFinding[];

/** Which finding a check that could not be read stands for. */
export type CheckName = Pick<ProbeFinding, 'checkId' | 'label' | 'subject'>;

/** Runs a check; an error becomes one `unknown` finding named `name`, with the server's message. */
export function runCheck(name: CheckName, check: Check, context: CheckContext, signal: AbortSignal): Promise<ProbeFinding[]> {
  return checkOrUnknown(() => check(context), { name, reason: mysqlServerMessage, note: 'grant the bot user what README, "MySQL grants", lists (PROCESS, SELECT, SLAVE MONITOR or REPLICATION CLIENT…), or check the server log' }, signal);
}

/** A counter of `SHOW GLOBAL STATUS`, 0 when the server does not have it. */
export function statusOf(server: ServerState, name: string): number {
  return server.status.get(name.toLowerCase()) ?? 0;
}

/** A counter's average per hour since the server started, over at least an hour so a restart is not an alarm. */
export function perHourSinceStart(server: ServerState, name: string): number {
  const uptimeHours = Math.max(statusOf(server, 'Uptime'), 3600) / 3600;
  return statusOf(server, name) / uptimeHours;
}

const variableNames = ['version', 'version_comment', 'read_only', 'max_connections', 'long_query_time', 'slow_query_log', 'innodb_buffer_pool_size'];

/** Reads the global status counters and the variables the checks need, in two statements. */
export async function readServerState(session: MysqlSession): Promise<ServerState> {
  const [status, variables] = await Promise.all([
    session.query<{ Variable_name: string; Value: string }>('SHOW GLOBAL STATUS'),
    session.query<{ Variable_name: string; Value: string }>(`SHOW GLOBAL VARIABLES WHERE Variable_name IN (${variableNames.map(() => '?').join(', ')})`, variableNames),
  ]);
  return {
    status: new Map(status.filter((row) => row.Value !== '' && Number.isFinite(Number(row.Value))).map((row) => [row.Variable_name.toLowerCase(), Number(row.Value)])),
    variables: new Map(variables.map((row) => [row.Variable_name.toLowerCase(), row.Value])),
  };
}
