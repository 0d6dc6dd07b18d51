import { checkIds, type ProbeFinding } from '../../core/finding.js';
import type { Probe } from '../../core/probe.js';
import { CONNECT_TIMEOUT_MS, closeMysqlSession, databaseOfMysqlUrl, openMysqlSession } from './connection.js';
import { lockWaitCheck, longQueryCheck } from './probes/activity.js';
import { readServerState, runCheck, type Check, type CheckContext, type CheckName } from './probes/check.js';
import { replicationCheck } from './probes/replication.js';
import { abortedConnectsCheck, bufferPoolCheck, connectionsCheck, deadlockCheck, serverCheck, slowQueriesCheck, threadsRunningCheck } from './probes/server.js';
import { databasesToCheck, databaseSizeCheck, fragmentationCheck } from './probes/storage.js';
import type { MysqlTarget } from './target.js';
import { server, serverAddress } from '../../core/server-address.js';

/** Server-side cap on each health statement, so a stuck read cannot pin a connection. */
const healthQueryTimeoutMs = 5000;

const checks: [name: CheckName, check: Check][] = [
  [{ checkId: 'mysql.server', label: 'server' }, serverCheck],
  [{ checkId: 'mysql.connections', label: 'connections' }, connectionsCheck],
  [{ checkId: 'mysql.threads_running', label: 'threads running' }, threadsRunningCheck],
  [{ checkId: 'mysql.long_queries', label: 'long-running queries' }, longQueryCheck],
  [{ checkId: 'mysql.lock_waits', label: 'lock waits' }, lockWaitCheck],
  [{ checkId: 'mysql.deadlocks', label: 'deadlocks' }, deadlockCheck],
  [{ checkId: 'mysql.buffer_pool_hit_ratio', label: 'InnoDB buffer pool hit ratio' }, bufferPoolCheck],
  [{ checkId: 'mysql.replication', label: 'replication' }, replicationCheck],
  [{ checkId: 'mysql.aborted_connects', label: 'aborted connects' }, abortedConnectsCheck],
  [{ checkId: 'mysql.slow_queries', label: 'slow queries' }, slowQueriesCheck],
  [{ checkId: 'mysql.fragmentation', label: 'fragmentation' }, fragmentationCheck],
  [{ checkId: checkIds.databaseSize, label: 'database sizes' }, databaseSizeCheck],
];

/**
 * A probe that opens one short-lived connection per run and reports reachability (version, uptime,
 * read-only), connections, threads running, long queries, lock waits, deadlocks, the buffer pool hit
 * ratio, replication, aborted connects, slow queries, fragmentation and database sizes; `extraFindings` adds
 * what the module reads beside the server (the freshness of the target's backups).
 */
export function createMysqlProbe(target: MysqlTarget, extraFindings: (target: MysqlTarget, now: Date) => Promise<ProbeFinding[]> = async () => []): Probe {
  return {
    target: target.name,
    system: 'mysql',
    optional: target.optional,
    ...server(serverAddress(target.url, 3306), 'mysql'),
    run: (signal) => probeMysql(target, signal, extraFindings),
  };
}

async function probeMysql(target: MysqlTarget, signal: AbortSignal, extraFindings: (target: MysqlTarget, now: Date) => Promise<ProbeFinding[]>): Promise<ProbeFinding[]> {
  const session = await openMysqlSession({ url: target.url, programName: 'maintbot-health', connectTimeoutMs: CONNECT_TIMEOUT_MS, queryTimeoutMs: healthQueryTimeoutMs }, signal);
  try {
    const [server, databases] = await Promise.all([readServerState(session), databasesToCheck(session, target.databases, databaseOfMysqlUrl(target.url))]);
    const context: CheckContext = { session, server, thresholds: target.thresholds, now: new Date(), databases };
    const findings = await Promise.all(checks.map(([name, check]) => runCheck(name, check, context, signal)));
    return [...findings.flat(), ...(await extraFindings(target, context.now))];
  } finally {
    await closeMysqlSession(session);
  }
}
