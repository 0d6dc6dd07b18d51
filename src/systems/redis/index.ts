import { defineSystem } from '../../core/system.js';
import { createRedisProbe, redisTargetSchema } from './probe.js';

export { redisTargetSchema, type RedisTarget } from './probe.js';

/** Redis: memory, hit ratio, clients, persistence and replication in the health report. */
export const redisSystem = defineSystem({
  key: 'redis',
  system: 'redis',
  cardinality: 'many',
  targetSchema: redisTargetSchema,
  probe: createRedisProbe,
  completions: { redis: (targets) => targets.map((target) => target.name) },
});
