import { z } from 'zod';
import { checkLimitOrder, type LimitPair } from '../../../core/judge.js';

const pct = z.number().min(0, 'expected a percentage from 0 to 100').max(100, 'expected a percentage from 0 to 100');
const seconds = z.number().min(0, 'expected a number of seconds, 0 or more');
const ratio = z.number().min(0, 'expected a ratio from 0 to 1').max(1, 'expected a ratio from 0 to 1');
const count = z.number().int('expected a whole number').min(0, 'expected a count, 0 or more');
const perHour = z.number().min(0, 'expected a number per hour, 0 or more');

/** Warn/crit thresholds of the MySQL health checks; each pair's crit must not fire before its warn. */
export const mysqlThresholdsSchema = z
  .object({
    connections_warn_pct: pct.default(80),
    connections_crit_pct: pct.default(95),
    threads_running_warn: count.default(20),
    threads_running_crit: count.default(50),
    long_query_warn_s: seconds.default(5),
    long_query_crit_s: seconds.default(300),
    lock_wait_crit_s: seconds.default(60),
    deadlocks_warn_per_h: perHour.default(1),
    deadlocks_crit_per_h: perHour.default(10),
    buffer_pool_hit_warn: ratio.default(0.95),
    buffer_pool_hit_crit: ratio.default(0.9),
    buffer_pool_min_requests: count.default(10_000),
    replication_lag_warn_s: seconds.default(30),
    replication_lag_crit_s: seconds.default(300),
    aborted_connects_warn_per_h: perHour.default(10),
    aborted_connects_crit_per_h: perHour.default(100),
    slow_queries_warn_per_h: perHour.default(10),
    slow_queries_crit_per_h: perHour.default(100),
    fragmentation_warn_pct: pct.default(20),
    fragmentation_crit_pct: pct.default(50),
    fragmentation_min_bytes: count.default(100 * 1024 * 1024),
  })
  .strict()
  .superRefine((thresholds, ctx) => checkLimitOrder(thresholds, limitPairs, (problem) => ctx.addIssue({ code: 'custom', ...problem })));

/** MySQL thresholds with every default filled in. */
export type MysqlThresholds = z.output<typeof mysqlThresholdsSchema>;

const limitPairs: LimitPair<MysqlThresholds>[] = [
  ['connections_warn_pct', 'connections_crit_pct', 'higher'],
  ['threads_running_warn', 'threads_running_crit', 'higher'],
  ['long_query_warn_s', 'long_query_crit_s', 'higher'],
  ['deadlocks_warn_per_h', 'deadlocks_crit_per_h', 'higher'],
  ['buffer_pool_hit_warn', 'buffer_pool_hit_crit', 'lower'],
  ['replication_lag_warn_s', 'replication_lag_crit_s', 'higher'],
  ['aborted_connects_warn_per_h', 'aborted_connects_crit_per_h', 'higher'],
  ['slow_queries_warn_per_h', 'slow_queries_crit_per_h', 'higher'],
  ['fragmentation_warn_pct', 'fragmentation_crit_pct', 'higher'],
];
