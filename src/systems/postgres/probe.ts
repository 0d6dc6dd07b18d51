import type pg from 'pg';
import { z } from 'zod';
import { backupConfigSchema } from './backup/config.js';
import { backupFreshness, unreadableBackups } from './backup/freshness.js';
import type { ProbeFinding } from '../../core/finding.js';
import { TargetUnreachable, type Probe } from '../../core/probe.js';
import { SharedReads } from '../../core/shared-reads.js';
import { blockedQueryCheck, idleInTransactionCheck, longQueryCheck } from './probes/activity.js';
import { runCheck, type Check, type CheckContext, type CheckName } from './probes/check.js';
import { closePostgresClient, openPostgresClient, withDatabase } from './connection.js';
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

/**
 * A probe that opens one short-lived, pipelined connection per run (plus one per extra database in
 * `databases`) and reports reachability, connections, long/idle/blocked sessions, replication,
 * wraparound, dead tuples, cache hit ratio and size. The cluster-wide checks' rows are read once per server and
 * user in one run (`SharedReads`) and judged by each target's own thresholds.
 */
export function createPostgresProbe(target: PostgresTarget): Probe {
  return {
    target: target.name,
    system: 'postgres',
    optional: target.optional,
    ...serverOf(target),
    run: (signal, shared) => probePostgres(target, signal, shared ?? new SharedReads()),
  };
}

/** The server the probe connects to, and how many connections it holds at once: one, plus one per other database in `databases`. */
function serverOf(target: PostgresTarget): Pick<Probe, 'server' | 'connections'> {
  const address = serverAddress(target.url, 5432);
  if (address === undefined) return {};
  const urlDatabase = databaseOfUrl(target.url);
  const others = (target.databases ?? []).filter((database) => database !== urlDatabase);
  return { ...server(address, 'postgres'), connections: 1 + new Set(others).size };
}

function databaseOfUrl(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || undefined;
  } catch {
    return undefined;
  }
}

async function probePostgres(target: PostgresTarget, signal: AbortSignal, shared: SharedReads): Promise<ProbeFinding[]> {
  const client = await openPostgresClient(healthConnection(target.url), signal);
  try {
    const mainDatabase = client.database ?? 'postgres';
    const reader = serverReader(target.url, 5432, 'dbname');
    const context: CheckContext = {
      client,
      serverRows: (sql, values) =>
        shared.read(`${reader} ${sql} ${JSON.stringify(values ?? [])}`, () => client.query(sql, values).then((result) => result.rows), signal),
      thresholds: target.thresholds,
      now: new Date(),
      databases: target.databases ?? [mainDatabase],
    };
    const [cluster, deadTuples, databaseStats] = await Promise.all([
      Promise.all(clusterChecks.map(([name, check]) => runCheck(name, check, context, signal))),
      Promise.all(context.databases.map((database) => deadTuplesIn(database, mainDatabase, target, context, signal))),
      runCheck(databaseStatsName, databaseStatsCheck, context, signal),
    ]);
    const freshness = await backupFreshness(target, context.now).catch((error: unknown) => [unreadableBackups(error)]);
    return [...cluster.flat(), ...deadTuples.flat(), ...databaseStats, ...freshness];
  } finally {
    await closePostgresClient(client);
  }
}

async function deadTuplesIn(
  database: string,
  mainDatabase: string,
  target: PostgresTarget,
  context: CheckContext,
  signal: AbortSignal,
): Promise<ProbeFinding[]> {
  const name = deadTuplesName(database);
  const read = (client: pg.Client) =>
    runCheck(name, () => deadTupleCheck(client, database, context.thresholds, context.now), context, signal);
  if (database === mainDatabase) return read(context.client);
  let client: pg.Client;
  try {
    client = await openPostgresClient(healthConnection(withDatabase(target.url, database)), signal);
  } catch (error) {
    if (!(error instanceof TargetUnreachable)) throw error;
    return [{ ...name, status: 'unknown', text: `not checked: ${error.message}`, note: 'check the databases listed for this target' }];
  }
  try {
    return await read(client);
  } finally {
    await closePostgresClient(client);
  }
}
