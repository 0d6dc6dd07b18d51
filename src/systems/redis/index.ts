import { defineSystem } from '../../core/system.js';
import { redisBgsaveAction } from './bgsave.js';
import { redisFlushAction } from './flush.js';
import { redisMemoryAction } from './memory.js';
import { createRedisProbe, redisTargetSchema } from './probe.js';
import { redisSlowlogAction } from './slowlog.js';

export { redisTargetSchema, type RedisTarget } from './probe.js';

/** Redis: memory, hit ratio, clients, persistence and replication in the health report; slow log, memory, flush and background save actions. */
export const redisSystem = defineSystem({
  key: 'redis',
  system: 'redis',
  cardinality: 'many',
  targetSchema: redisTargetSchema,
  probe: createRedisProbe,
  actions: (targets) => [redisSlowlogAction(targets), redisMemoryAction(targets), redisFlushAction(targets), redisBgsaveAction(targets)],
  completions: { redis: (targets) => targets.map((target) => target.name) },
});
