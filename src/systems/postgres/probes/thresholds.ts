import { z } from 'zod';

const pct = z.number().min(0, 'expected a percentage from 0 to 100').max(100, 'expected a percentage from 0 to 100');
const seconds = z.number().min(0, 'expected a number of seconds, 0 or more');
const ratio = z.number().min(0, 'expected a ratio from 0 to 1').max(1, 'expected a ratio from 0 to 1');

/** Warn/crit thresholds of the PostgreSQL health checks; defaults come from the seeds and issue 3. */
export const postgresThresholdsSchema = z
  .object({
    connections_warn_pct: pct.default(80),
    connections_crit_pct: pct.default(95),
    long_query_warn_s: seconds.default(5),
    long_query_crit_s: seconds.default(300),
    idle_in_transaction_warn_s: seconds.default(60),
    blocked_crit_s: seconds.default(60),
    replication_lag_warn_s: seconds.default(1),
    replication_lag_crit_s: seconds.default(30),
    wraparound_warn_pct: pct.default(50),
    wraparound_crit_pct: pct.default(80),
    dead_tuple_warn_pct: pct.default(10),
    dead_tuple_crit_pct: pct.default(30),
    dead_tuple_min_rows: z.number().int().min(0, 'expected a row count, 0 or more').default(1000),
    cache_hit_warn: ratio.default(0.9),
    cache_hit_crit: ratio.default(0.8),
  })
  .strict()
  .superRefine((t, ctx) => {
    const higherIsWorse = [
      ['connections_warn_pct', 'connections_crit_pct'],
      ['long_query_warn_s', 'long_query_crit_s'],
      ['replication_lag_warn_s', 'replication_lag_crit_s'],
      ['wraparound_warn_pct', 'wraparound_crit_pct'],
      ['dead_tuple_warn_pct', 'dead_tuple_crit_pct'],
    ] as const;
    for (const [warn, crit] of higherIsWorse) {
      if (t[warn] > t[crit]) ctx.addIssue({ code: 'custom', path: [warn], message: `must not be above ${crit} (${t[crit]})` });
    }
    if (t.cache_hit_warn < t.cache_hit_crit) {
      ctx.addIssue({ code: 'custom', path: ['cache_hit_warn'], message: `must not be below cache_hit_crit (${t.cache_hit_crit})` });
    }
  });

/** PostgreSQL thresholds with every default filled in. */
export type PostgresThresholds = z.output<typeof postgresThresholdsSchema>;
