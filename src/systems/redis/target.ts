import type { Redis } from 'ioredis';
import { z } from 'zod';
import { emptyAsAbsent } from '../../core/action-inputs.js';
import { UserError } from '../../core/errors.js';
import { pickTarget } from '../../core/pick-target.js';
import { TargetUnreachable } from '../../core/probe.js';
import { withRedis } from './client.js';
import type { RedisTarget } from './probe.js';

/** The `target` input of every Redis action: empty counts as not given (the only one configured). */
export const redisTargetInput = z.preprocess(emptyAsAbsent, z.string().min(1).optional());

/** The Redis target named `name`, or the only one; a `UserError` naming the configured ones otherwise. */
export function resolveRedisTarget(targets: readonly RedisTarget[], name: string | undefined): RedisTarget {
  return pickTarget(targets, name, { system: 'Redis', configKey: 'targets.redis[]' });
}

/** Runs `work` on a connection to the target (in database `db` when given); an unreachable Redis is a `UserError`. */
export async function onRedisTarget<T>(target: RedisTarget, signal: AbortSignal, work: (client: Redis) => Promise<T>, db?: number): Promise<T> {
  try {
    return await withRedis(target.url, signal, work, db);
  } catch (error) {
    if (error instanceof TargetUnreachable) throw new UserError(`Redis target ${target.name} is not reachable: ${error.message}.`);
    throw error;
  }
}

/** The fields of an INFO reply, by name. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}
