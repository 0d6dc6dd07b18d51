import type pg from 'pg';
import { z } from 'zod';
import { backupConfigSchema } from './backup/config.js';
import { backupFreshness, unreadableBackups } from './backup/freshness.js';
import { checkIds, type ProbeFinding } from '../../core/finding.js';
import { maskUrl } from '../../core/mask.js';
import { defaultProbeSettings, TargetUnreachable, type Probe, type ProbeSettings } from '../../core/probe.js';
import { SharedReads } from '../../core/shared-reads.js';
import { SharedSessions, sessionKey, type SessionKind } from '../../core/shared-sessions.js';
import { blockedQueryCheck, idleInTransactionCheck, longQueryCheck } from './probes/activity.js';
import { runCheck, type Check, type CheckContext, type CheckName } from './probes/check.js';
import { databaseOfUrl, withDatabase } from './connection.js';
import { refusalOf } from './database-access.js';
import { databaseRows, type DatabaseRow } from './probes/databases.js';
import { readTableStats, TableStatsCache, tableStatsNotChecked, tableStatsOnOwnConnection, type TableStatsRead } from './probes/table-stats.js';
import { inTermsOf, postgresSession, readKey } from './shared-connection.js';
import { targetNameSchema } from '../../core/target-name.js';
import { replicationLagCheck, replicationSlotCheck } from './probes/replication.js';
import { serverChecks } from './probes/server.js';
import { databaseStatsCheck, wraparoundCheck } from './probes/storage.js';
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
  /** What its URL says, worked out on the first run. */
  facts?: TargetFacts;
}

/** What a target's URL and config say, the same on every run. */
interface TargetFacts {
  reader: string;
  sessionKey: string;
  session: SessionKind<pg.Client>;
  mainDatabase: string;
  /** The target's thresholds as a key: targets with the same ones judge the cluster-wide checks alike. */
  thresholdsKey: string;
  /** The target's URL, masked. */
  where: string;
  /** Each database whose figures are reported, with its URL and that URL masked. */
  databases: { name: string; url: string; where: string }[];
}

function targetFacts(target: PostgresTarget): TargetFacts {
  const reader = serverReader(target.url, 5432, 'dbname');
  const mainDatabase = databaseOfUrl(target.url);
  return {
    reader,
    sessionKey: sessionKey(reader, target.url),
    session: postgresSession(target.url),
    mainDatabase,
    thresholdsKey: JSON.stringify(target.thresholds),
    where: maskUrl(target.url),
    databases: (target.databases ?? [mainDatabase]).map((name) => {
      const url = name === mainDatabase ? target.url : withDatabase(target.url, name);
      return { name, url, where: maskUrl(url) };
    }),
  };
}

/**
 * A probe that shares one pipelined connection per server, user and password with the other targets of a run
 * (`SharedSessions`), and reports reachability, connections, long/idle/blocked sessions, replication,
 * wraparound, dead tuples, cache hit ratio and size. The cluster-wide checks' rows and every database's
 * `pg_database` row are read once per server and user in one run (`SharedReads`) and judged by each target for
 * its own databases; a database that is missing, closed, forbidden or full is reported from its row. Dead tuples
 * and sizes need a connection to each database: they are read again once older than `settings.tableStatsEveryMs`,
 * on a connection of the target's own that holds a server slot, and reported with their age in between.
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
  /** The database the shared connection is in, whose table stats were read on it when due. */
  sessionDatabase: string | undefined;
  tableStats: TableStatsRead | undefined;
}

interface Run extends TargetFacts {
  target: PostgresTarget;
  now: Date;
}

async function probePostgres(target: PostgresTarget, state: ProbeState, signal: AbortSignal, shared: SharedReads, sessions: SharedSessions): Promise<ProbeFinding[]> {
  state.facts ??= targetFacts(target);
  const run: Run = { ...state.facts, target, now: new Date() };
  const onServer = await sessions
    .use(run.sessionKey, state.serverName, run.session, (client) => readOnServer(client, run, state, shared, signal), signal)
    .catch((error: unknown) => {
      throw inTermsOf(error, target.url);
    });
  const tableStats = await Promise.all(run.databases.map((database) => tableStatsOf(database, run, state, onServer, sessions, signal)));
  const isSize = (finding: ProbeFinding): boolean => finding.checkId === checkIds.databaseSize;
  const databaseStats = run.databases.flatMap(({ name: database }, index) => [
    ...onServer.databaseStats.filter((finding) => finding.subject === database),
    ...tableStats[index]!.filter(isSize),
  ]);
  const unnamed = onServer.databaseStats.filter((finding) => finding.subject === undefined);
  const freshness = await backupFreshness(target, run.now).catch((error: unknown) => [unreadableBackups(error)]);
  return [...onServer.cluster, ...tableStats.flatMap((findings) => findings.filter((finding) => !isSize(finding))), ...unnamed, ...databaseStats, ...freshness];
}

/**
 * The target's reads on the shared connection: every database's row (its main database must take connections, or
 * the target is unreachable), the cluster-wide checks, the cache hit ratios, and the table stats of the database
 * the connection is in when they are due.
 */
async function readOnServer(client: pg.Client, run: Run, state: ProbeState, shared: SharedReads, signal: AbortSignal): Promise<OnServer> {
  const context: CheckContext = {
    client,
    serverRows: (sql, values) =>
      shared.read(readKey(run.reader, sql, values), () => client.query(sql, values).then((result) => result.rows), signal),
    thresholds: run.target.thresholds,
    now: run.now,
    databases: run.databases.map((database) => database.name),
  };
  const sessionDatabase = client.database;
  const due = sessionDatabase !== undefined && context.databases.includes(sessionDatabase) && state.tableStats.fresh(sessionDatabase, run.now.getTime()) === undefined;
  const [rows, cluster, databaseStats, tableStats] = await Promise.all([
    databaseRows(context).then(
      (index) => index.byName,
      () => {
        signal.throwIfAborted();
        return undefined;
      },
    ),
    shared.read(`${run.reader} cluster checks ${run.thresholdsKey}`, () => judgeCluster(context, signal), signal),
    runCheck(databaseStatsName, databaseStatsCheck, context, signal),
    due ? readTableStats(client, sessionDatabase, context, signal) : undefined,
  ]);
  const refusal = rows && refusalOf(rows.get(run.mainDatabase), run.mainDatabase, rowUser(rows, run.target.url), run.where, ownBackends(run.mainDatabase, sessionDatabase));
  if (refusal !== undefined) throw new TargetUnreachable(refusal.reason, { note: refusal.note });
  return { cluster, databaseStats, rows, sessionDatabase, tableStats };
}

/**
 * The cluster-wide checks, judged once per server, user and thresholds in one run: they read only server-wide
 * rows, so every target with the same thresholds would judge them alike.
 */
async function judgeCluster(context: CheckContext, signal: AbortSignal): Promise<ProbeFinding[]> {
  return (await Promise.all(clusterChecks.map(([name, check]) => runCheck(name, check, context, signal)))).flat();
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
 * The table stats (dead tuples) and size of one of the target's databases: not checked when its row says it
 * refuses connections, the last read (with its age) while younger than `health.table_stats_every`, else read again
 * on a connection of the target's own that holds a server slot (or on the shared one, when it is in that database).
 */
async function tableStatsOf(
  { name: database, url, where }: TargetFacts['databases'][number],
  run: Run,
  state: ProbeState,
  onServer: OnServer,
  sessions: SharedSessions,
  signal: AbortSignal,
): Promise<ProbeFinding[]> {
  const refusal = onServer.rows && refusalOf(onServer.rows.get(database), database, rowUser(onServer.rows, url), where, ownBackends(database, onServer.sessionDatabase));
  if (refusal !== undefined) return [tableStatsNotChecked(database, refusal.reason)];
  const now = run.now.getTime();
  const fresh = state.tableStats.fresh(database, now);
  if (fresh !== undefined) return fresh;
  const context = { thresholds: run.target.thresholds, now: run.now };
  const onShared = database === onServer.sessionDatabase ? onServer.tableStats : undefined;
  const read = onShared ?? (await sessions.own(state.serverName, () => tableStatsOnOwnConnection(database, url, context, signal)));
  if (read.findings === undefined) return [tableStatsNotChecked(database, read.unreachable)];
  state.tableStats.remember(database, read.findings, now);
  return read.findings;
}

