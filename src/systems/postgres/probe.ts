import type pg from 'pg';
import { z } from 'zod';
import { backupConfigSchema } from './backup/config.js';
import { backupFreshness, unreadableBackups } from './backup/freshness.js';
import type { ProbeFinding } from '../../core/finding.js';
import { maskUrl, withoutPassword } from '../../core/mask.js';
import { postgresErrorCode } from '../../core/pg-error-code.js';
import { checkOrUnknown, defaultProbeSettings, TargetUnreachable, type Probe, type ProbeSettings } from '../../core/probe.js';
import { SharedReads } from '../../core/shared-reads.js';
import { SharedSessions, sessionKey, type SessionKind } from '../../core/shared-sessions.js';
import { blockedQueryCheck, idleInTransactionCheck, longQueryCheck } from './probes/activity.js';
import { checkNote, runCheck, serverMessage, type Check, type CheckContext, type CheckName } from './probes/check.js';
import { closePostgresClient, databaseOfUrl, databaseRefusal, openPostgresClient, unreachableReason, withDatabase } from './connection.js';
import { refusalOf } from './database-access.js';
import { databaseRows, type DatabaseRow } from './probes/databases.js';
import { TableStatsCache } from './probes/table-stats.js';
import { healthConnection } from './probes/connect.js';
import { targetNameSchema } from '../../core/target-name.js';
import { replicationLagCheck, replicationSlotCheck } from './probes/replication.js';
import { serverChecks } from './probes/server.js';
import { databaseStatsCheck, deadTupleCheck, deadTuplesName, wraparoundCheck } from './probes/storage.js';
import { postgresThresholdsSchema, type PostgresThresholds } from './probes/thresholds.js';
import { targetCommonFields } from '../../core/target-fields.js';
import { server, serverAddress, serverReader } from '../../core/server-address.js';

export { postgresThresholdsSchema, type PostgresThresholds };

/** One `targets.postgres[]` entry: a PostgreSQL server to check, and which databases' table stats to read. */
export const postgresTargetSchema = z
  .object({
    name: targetNameSchema,
    url: z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'expected a postgres:// URL'),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    databases: z.array(z.string().min(1, 'expected a database name')).min(1, 'list at least one database, or leave databases out').optional(),
    thresholds: postgresThresholdsSchema.prefault({}),
    backup: backupConfigSchema.optional(),
  })
  .strict();

/** A validated PostgreSQL target with defaults filled in. */
export type PostgresTarget = z.output<typeof postgresTargetSchema>;

const clusterChecks: [name: CheckName, check: Check][] = [
  [{ checkId: 'postgres.server', label: 'server' }, serverChecks],
  [{ checkId: 'postgres.long_queries', label: 'long-running queries' }, longQueryCheck],
  [{ checkId: 'postgres.idle_in_transaction', label: 'idle in transaction' }, idleInTransactionCheck],
  [{ checkId: 'postgres.blocked_queries', label: 'blocked queries' }, blockedQueryCheck],
  [{ checkId: 'postgres.replication_lag', label: 'replication lag' }, replicationLagCheck],
  [{ checkId: 'postgres.replication_slots', label: 'replication slots' }, replicationSlotCheck],
  [{ checkId: 'postgres.transaction_id_age', label: 'transaction ID age' }, wraparoundCheck],
];

const databaseStatsName: CheckName = { checkId: 'postgres.database_stats', label: 'database stats' };

/** What one target's probe keeps between runs, and the server it counts its connections against. */
interface ProbeState {
  serverName: string | undefined;
  tableStats: TableStatsCache;
}

/**
 * A probe that shares one pipelined connection per server, user and password with the other targets of a run
 * (`SharedSessions`), and reports reachability, connections, long/idle/blocked sessions, replication,
 * wraparound, dead tuples, cache hit ratio and size. The cluster-wide checks' rows and every database's
 * `pg_database` row are read once per server and user in one run (`SharedReads`) and judged by each target for
 * its own databases; a database that is missing, closed, forbidden or full is reported from its row. Dead tuples
 * need a connection to each database: they are read again once older than `settings.tableStatsEveryMs`, on a
 * connection of the target's own that holds a server slot, and reported with their age in between.
 */
export function createPostgresProbe(target: PostgresTarget, settings: ProbeSettings = defaultProbeSettings): Probe {
  const { server: serverName } = server(serverAddress(target.url, 5432), 'postgres');
  const state: ProbeState = { serverName, tableStats: new TableStatsCache(settings.tableStatsEveryMs) };
  return {
    target: target.name,
    system: 'postgres',
    optional: target.optional,
    ...(serverName === undefined ? {} : { server: serverName }),
    connections: 0,
    run: (signal, shared, sessions) => probePostgres(target, state, signal, shared ?? new SharedReads(), sessions ?? new SharedSessions()),
  };
}

/** What a target reads on the run's shared connection. */
interface OnServer {
  cluster: ProbeFinding[];
  databaseStats: ProbeFinding[];
  /** Every database's row; undefined when they could not be read (then `databaseStats` says why). */
  rows: Map<string, DatabaseRow> | undefined;
  /** The database the shared connection is in, whose dead tuples were read on it when due. */
  sessionDatabase: string | undefined;
  deadTuples: DeadTuplesRead | undefined;
}

interface Run {
  target: PostgresTarget;
  reader: string;
  now: Date;
  databases: string[];
  mainDatabase: string;
}

async function probePostgres(target: PostgresTarget, state: ProbeState, signal: AbortSignal, shared: SharedReads, sessions: SharedSessions): Promise<ProbeFinding[]> {
  const mainDatabase = databaseOfUrl(target.url);
  const run: Run = { target, reader: serverReader(target.url, 5432, 'dbname'), now: new Date(), databases: target.databases ?? [mainDatabase], mainDatabase };
  const onServer = await sessions
    .use(sessionKey(run.reader, target.url), state.serverName, postgresSession(target.url), (client) => readOnServer(client, run, state, shared, signal), signal)
    .catch((error: unknown) => {
      throw inTermsOf(error, target.url);
    });
  const deadTuples = await Promise.all(run.databases.map((database) => deadTuplesOf(database, run, state, onServer, sessions, signal)));
  const freshness = await backupFreshness(target, run.now).catch((error: unknown) => [unreadableBackups(error)]);
  return [...onServer.cluster, ...deadTuples.flat(), ...onServer.databaseStats, ...freshness];
}

/** How the run's shared connection to a server is opened; a refusal of the opener's own database is not the server's. */
function postgresSession(url: string): SessionKind<pg.Client> {
  return {
    open: (signal) => openPostgresClient(healthConnection(url), signal),
    close: closePostgresClient,
    ownFailure: (error) => error instanceof TargetUnreachable && isDatabaseRefusal(error.cause, url),
  };
}

function isDatabaseRefusal(error: unknown, url: string): boolean {
  if (databaseRefusal(error, url) !== undefined) return true;
  return postgresErrorCode(error) === '28000' && /database "/.test(error instanceof Error ? error.message : '');
}

/** A connection failure of the shared connection, told with this target's URL (it may have been opened for another database). */
function inTermsOf(error: unknown, url: string): unknown {
  if (!(error instanceof TargetUnreachable) || error.cause === undefined) return error;
  const note = databaseRefusal(error.cause, url)?.note;
  return new TargetUnreachable(withoutPassword(unreachableReason(error.cause, url), url), { cause: error.cause, ...(note === undefined ? {} : { note }) });
}

/**
 * The target's reads on the shared connection: every database's row (its main database must take connections, or
 * the target is unreachable), the cluster-wide checks, the database stats, and the dead tuples of the database
 * the connection is in when they are due.
 */
async function readOnServer(client: pg.Client, run: Run, state: ProbeState, shared: SharedReads, signal: AbortSignal): Promise<OnServer> {
  const context: CheckContext = {
    client,
    serverRows: (sql, values) =>
      shared.read(`${run.reader} ${sql} ${JSON.stringify(values ?? [])}`, () => client.query(sql, values).then((result) => result.rows), signal),
    thresholds: run.target.thresholds,
    now: run.now,
    databases: run.databases,
  };
  const rows = await databaseRows(context).catch(() => {
    signal.throwIfAborted();
    return undefined;
  });
  const sessionDatabase = client.database;
  const refusal = rows && refusalOf(rows.get(run.mainDatabase), run.mainDatabase, rowUser(rows, run.target.url), maskUrl(run.target.url), ownBackends(run.mainDatabase, sessionDatabase));
  if (refusal !== undefined) throw new TargetUnreachable(refusal.reason, { note: refusal.note });
  const due = sessionDatabase !== undefined && run.databases.includes(sessionDatabase) && state.tableStats.fresh(sessionDatabase, run.now.getTime()) === undefined;
  const [cluster, databaseStats, deadTuples] = await Promise.all([
    Promise.all(clusterChecks.map(([name, check]) => runCheck(name, check, context, signal))),
    runCheck(databaseStatsName, databaseStatsCheck, context, signal),
    due ? readDeadTuples(client, sessionDatabase, context, signal) : undefined,
  ]);
  return { cluster: cluster.flat(), databaseStats, rows, sessionDatabase, deadTuples };
}

/** The user the rows were read as (the same for every target sharing them), else the URL's. */
function rowUser(rows: Map<string, DatabaseRow>, url: string): string {
  const first = rows.values().next();
  return first.done ? decodeURIComponent(new URL(url).username) : first.value.user_name;
}

/** How many of a database's backends are the run's own shared connection. */
function ownBackends(database: string, sessionDatabase: string | undefined): number {
  return database === sessionDatabase ? 1 : 0;
}

/**
 * The dead tuples of one of the target's databases: not checked when its row says it refuses connections, the
 * last read (with its age) while younger than `health.table_stats_every`, else read again on a connection of the
 * target's own that holds a server slot (or on the shared one, when it is in that database).
 */
async function deadTuplesOf(database: string, run: Run, state: ProbeState, onServer: OnServer, sessions: SharedSessions, signal: AbortSignal): Promise<ProbeFinding[]> {
  const url = withDatabase(run.target.url, database);
  const refusal = onServer.rows && refusalOf(onServer.rows.get(database), database, rowUser(onServer.rows, url), maskUrl(url), ownBackends(database, onServer.sessionDatabase));
  if (refusal !== undefined) return [notChecked(database, refusal.reason)];
  const now = run.now.getTime();
  const fresh = state.tableStats.fresh(database, now);
  if (fresh !== undefined) return fresh;
  const context = { thresholds: run.target.thresholds, now: run.now };
  const onShared = database === onServer.sessionDatabase ? onServer.deadTuples : undefined;
  const read = onShared ?? (await sessions.own(state.serverName, () => deadTuplesOnOwnConnection(database, url, context, signal)));
  if (read.findings === undefined) return [notChecked(database, read.unreachable)];
  state.tableStats.remember(database, read.findings, now);
  return read.findings;
}

type DeadTuplesRead = { findings: ProbeFinding[]; unreachable?: never } | { findings?: never; unreachable: string };

async function deadTuplesOnOwnConnection(database: string, url: string, context: Pick<CheckContext, 'thresholds' | 'now'>, signal: AbortSignal): Promise<DeadTuplesRead> {
  let client: pg.Client;
  try {
    client = await openPostgresClient(healthConnection(url), signal);
  } catch (error) {
    if (!(error instanceof TargetUnreachable)) throw error;
    return { unreachable: error.message };
  }
  try {
    return await readDeadTuples(client, database, context, signal);
  } finally {
    await closePostgresClient(client);
  }
}

async function readDeadTuples(client: pg.Client, database: string, context: Pick<CheckContext, 'thresholds' | 'now'>, signal: AbortSignal): Promise<DeadTuplesRead> {
  const name = deadTuplesName(database);
  return { findings: await checkOrUnknown(() => deadTupleCheck(client, database, context.thresholds, context.now), { name, reason: serverMessage, note: checkNote }, signal) };
}

function notChecked(database: string, reason: string): ProbeFinding {
  return { ...deadTuplesName(database), status: 'unknown', text: `not checked: ${reason}`, note: 'check the databases listed for this target' };
}
