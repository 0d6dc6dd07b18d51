import type { ProbeFinding } from '../../../core/finding.js';
import { judgeHigh, judgeLow } from '../../../core/judge.js';
import { formatCount, lowThresholdText, thresholdText } from '../../../render/figures.js';
import { formatPercent, formatSeconds } from '../../../render/units.js';
import { perHourSinceStart, statusOf, type CheckContext } from './check.js';

/** Reachable: version, uptime and whether the server is read-only. */
export function serverCheck({ server }: CheckContext): ProbeFinding[] {
  const uptime = statusOf(server, 'Uptime');
  const version = server.variables.get('version') ?? '?';
  const flavour = /mariadb/i.test(version) ? 'MariaDB' : 'MySQL';
  const readOnly = server.variables.get('read_only') === 'ON' || server.variables.get('read_only') === '1';
  return [
    {
      checkId: 'mysql.server',
      status: 'ok',
      measure: { value: uptime, unit: 'seconds' },
      label: 'server',
      text: `${flavour} ${version.replace(/-MariaDB.*$/i, '')}, ${readOnly ? 'read-only' : 'read-write'}, up ${formatSeconds(uptime)}`,
    },
  ];
}

/** `Threads_connected` of `max_connections`, with the peak since start. */
export function connectionsCheck({ server, thresholds }: CheckContext): ProbeFinding[] {
  const used = statusOf(server, 'Threads_connected');
  const max = Number(server.variables.get('max_connections') ?? 0);
  if (!(max > 0)) throw new Error('max_connections is not readable');
  const pct = (used / max) * 100;
  const status = judgeHigh(pct, { warn: thresholds.connections_warn_pct, crit: thresholds.connections_crit_pct });
  const line: ProbeFinding = {
    checkId: 'mysql.connections',
    status,
    measure: { value: pct, unit: 'percent' },
    label: 'connections',
    text: `${used} of ${max} (${formatPercent(pct)})`,
    threshold: thresholdText(formatPercent(thresholds.connections_warn_pct), formatPercent(thresholds.connections_crit_pct)),
    detail: [`peak since start: ${statusOf(server, 'Max_used_connections')}`],
  };
  if (status !== 'ok') {
    line.note = `new clients get "Too many connections" once ${max} are in use: close idle clients, lower the pools' sizes or wait_timeout, or raise max_connections`;
  }
  return [line];
}

/** `Threads_running`: connections executing a statement at this moment, other than this check's own. */
export function threadsRunningCheck({ server, thresholds }: CheckContext): ProbeFinding[] {
  const running = Math.max(0, statusOf(server, 'Threads_running') - 1);
  const status = judgeHigh(running, { warn: thresholds.threads_running_warn, crit: thresholds.threads_running_crit });
  const line: ProbeFinding = {
    checkId: 'mysql.threads_running',
    status,
    measure: { value: running, unit: 'count' },
    label: 'threads running',
    text: formatCount(running),
    threshold: thresholdText(formatCount(thresholds.threads_running_warn), formatCount(thresholds.threads_running_crit)),
  };
  if (status !== 'ok') line.note = 'many statements run at once and compete for CPU and locks: look at the long queries and lock waits below';
  return [line];
}

/** Deadlocks InnoDB detected since start (`Innodb_deadlocks`), judged as an average per hour. */
export function deadlockCheck({ server, thresholds }: CheckContext): ProbeFinding[] {
  return [
    counterRate(server, 'Innodb_deadlocks', {
      checkId: 'mysql.deadlocks',
      label: 'deadlocks',
      limits: { warn: thresholds.deadlocks_warn_per_h, crit: thresholds.deadlocks_crit_per_h },
      note: 'InnoDB rolled back one transaction of each deadlock: SHOW ENGINE INNODB STATUS shows the latest; make the application take its locks in one order',
    }),
  ];
}

/** `Aborted_connects` since start: failed logins and handshakes, judged as an average per hour. */
export function abortedConnectsCheck({ server, thresholds }: CheckContext): ProbeFinding[] {
  return [
    counterRate(server, 'Aborted_connects', {
      checkId: 'mysql.aborted_connects',
      label: 'aborted connects',
      limits: { warn: thresholds.aborted_connects_warn_per_h, crit: thresholds.aborted_connects_crit_per_h },
      note: 'clients fail to log in (wrong password, missing grant, connect_timeout): check the application credentials, or someone is guessing passwords',
    }),
  ];
}

/** `Slow_queries` since start: statements longer than `long_query_time`, judged as an average per hour. */
export function slowQueriesCheck({ server, thresholds }: CheckContext): ProbeFinding[] {
  const longQueryTime = Number(server.variables.get('long_query_time') ?? 10);
  const logged = server.variables.get('slow_query_log') === 'ON';
  return [
    counterRate(server, 'Slow_queries', {
      checkId: 'mysql.slow_queries',
      label: 'slow queries',
      limits: { warn: thresholds.slow_queries_warn_per_h, crit: thresholds.slow_queries_crit_per_h },
      suffix: ` over long_query_time ${longQueryTime} s`,
      note: logged
        ? 'the slow query log names them: look for missing indexes, then ANALYZE the tables'
        : 'turn on slow_query_log to see which statements they are; look for missing indexes',
    }),
  ];
}

/** The InnoDB buffer pool hit ratio since start: page reads served from memory rather than from disk. */
export function bufferPoolCheck({ server, thresholds }: CheckContext): ProbeFinding[] {
  const requests = statusOf(server, 'Innodb_buffer_pool_read_requests');
  const diskReads = statusOf(server, 'Innodb_buffer_pool_reads');
  const check = { checkId: 'mysql.buffer_pool_hit_ratio', label: 'InnoDB buffer pool hit ratio' };
  const threshold = `${lowThresholdText(thresholds.buffer_pool_hit_warn.toFixed(2), thresholds.buffer_pool_hit_crit.toFixed(2))}, judged from ${formatCount(thresholds.buffer_pool_min_requests)} reads`;
  if (requests === 0 || requests < thresholds.buffer_pool_min_requests) {
    return [{ ...check, status: 'ok', text: `too few reads yet to judge (${formatCount(requests)})`, threshold }];
  }
  const ratio = Math.max(0, 1 - diskReads / requests);
  const status = judgeLow(ratio, { warn: thresholds.buffer_pool_hit_warn, crit: thresholds.buffer_pool_hit_crit });
  const line: ProbeFinding = {
    ...check,
    status,
    measure: { value: ratio, unit: 'ratio' },
    text: `${ratio.toFixed(3)} (${formatCount(diskReads)} of ${formatCount(requests)} page reads from disk)`,
    threshold,
  };
  if (status !== 'ok') line.note = 'reads go to disk: give innodb_buffer_pool_size more memory (it is commonly 50–70 % of RAM), or look for full table scans';
  return [line];
}

interface RateCheck {
  checkId: string;
  label: string;
  limits: { warn: number; crit: number };
  note: string;
  suffix?: string;
}

function counterRate(server: CheckContext['server'], counter: string, check: RateCheck): ProbeFinding {
  const total = statusOf(server, counter);
  const rate = perHourSinceStart(server, counter);
  const status = judgeHigh(rate, check.limits);
  const line: ProbeFinding = {
    checkId: check.checkId,
    status,
    measure: { value: rate, unit: 'count' },
    label: check.label,
    text: `${formatCount(total)} since start${check.suffix ?? ''} (${rate.toFixed(1)} per hour)`,
    threshold: `warn at ${check.limits.warn} per hour, crit at ${check.limits.crit} per hour`,
  };
  if (status !== 'ok') line.note = check.note;
  return line;
}
