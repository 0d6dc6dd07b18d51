import { z } from 'zod';
import { parseDuration } from '../core/duration.js';

const duration = (min: number, max: number, what: string) =>
  z.string().refine((text) => {
    const ms = parseDuration(text);
    return ms !== undefined && ms >= min && ms <= max;
  }, what);

/**
 * `runs:` in the config: the lease of an approved run (renewed by the bot process running it every third of
 * it), how often each process looks for runs whose lease lapsed, and how long an approved step waits for a
 * target another destructive run holds.
 */
export const runsSchema = z
  .object({
    lease: duration(200, 3_600_000, 'expected a duration from 200ms to 1h, such as 30s').default('30s').describe('an approved run not renewed for this long is lost'),
    lost_check_every: duration(100, 3_600_000, 'expected a duration from 100ms to 1h, such as 10s').default('10s').describe('how often each bot process looks for lost runs'),
    target_wait: duration(0, 86_400_000, 'expected a duration up to 1d, such as 10m').default('10m').describe('how long an approved step waits for a busy target'),
  })
  .strict()
  .default({ lease: '30s', lost_check_every: '10s', target_wait: '10m' });

/** The run lease timings in milliseconds. */
export interface RunLeaseTimings {
  leaseMs: number;
  lostCheckMs: number;
  targetWaitMs: number;
}

/** The defaults of `runs:`: a 30 s lease, a check every 10 s, a 10 min wait for a busy target. */
export const defaultRunLeaseTimings: RunLeaseTimings = { leaseMs: 30_000, lostCheckMs: 10_000, targetWaitMs: 600_000 };

/** `runs:` as timings. */
export function runLeaseTimings(settings: z.output<typeof runsSchema>): RunLeaseTimings {
  return { leaseMs: parseDuration(settings.lease)!, lostCheckMs: parseDuration(settings.lost_check_every)!, targetWaitMs: parseDuration(settings.target_wait)! };
}
