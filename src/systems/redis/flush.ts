import type { Redis } from 'ioredis';
import { z } from 'zod';
import { approvedData, emptyAsAbsent } from '../../core/action-inputs.js';
import type { ActionDefinition } from '../../core/action.js';
import { CodedError, UserError } from '../../core/errors.js';
import { notice } from '../../core/report.js';
import { formatMilliseconds } from '../../render/units.js';
import { redisUrlDatabase } from './client.js';
import type { RedisTarget } from './probe.js';
import { onRedisTarget, redisTargetInput, resolveRedisTarget } from './target.js';

const inputs = z.object({
  target: redisTargetInput,
  db: z.preprocess(emptyAsAbsent, z.number().int().min(0).max(10_000).optional()),
  pattern: z.preprocess(emptyAsAbsent, z.string().min(1).max(200).optional()),
});

/** Inputs of `redis.flush`. */
export type FlushInput = z.output<typeof inputs>;

const planData = z.object({ db: z.number().int(), pattern: z.string().nullable(), matched: z.number().int(), exact: z.boolean() });

/** How long a plan counts the keys a pattern matches before it says "at least". */
const countBudgetMs = 5_000;
const scanBatch = 500;

/** Where a flush acts. */
function placeOf(targets: readonly RedisTarget[], input: FlushInput): { target: RedisTarget; db: number } {
  const target = resolveRedisTarget(targets, input.target);
  return { target, db: input.db ?? redisUrlDatabase(target.url) };
}

async function countMatching(client: Redis, pattern: string): Promise<{ matched: number; exact: boolean }> {
  const started = Date.now();
  let cursor = '0';
  let matched = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', scanBatch);
    cursor = next;
    matched += keys.length;
  } while (cursor !== '0' && Date.now() - started < countBudgetMs);
  return { matched, exact: cursor === '0' };
}

/** UNLINKs the keys that match, one SCAN batch at a time; how many were removed. */
async function unlinkMatching(client: Redis, pattern: string, progress: (removed: number) => Promise<void>): Promise<number> {
  let cursor = '0';
  let removed = 0;
  let batches = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', scanBatch);
    cursor = next;
    if (keys.length > 0) removed += await client.unlink(...keys);
    if (++batches % 20 === 0) await progress(removed);
  } while (cursor !== '0');
  return removed;
}

function quoted(pattern: string): string {
  return JSON.stringify(pattern);
}

/**
 * `redis.flush`: empties one database with FLUSHDB ASYNC, or, with `pattern`, UNLINKs the keys that match it
 * in SCAN batches (never KEYS, which blocks the server). Destructive. The plan counts what matches now and
 * refuses when nothing does; the run acts on the approved database and pattern only. Outputs: `db`,
 * `pattern`, `removed` (null for FLUSHDB, which does not count), `keys_before`, `keys_after`.
 */
export function redisFlushAction(targets: readonly RedisTarget[]): ActionDefinition<FlushInput> {
  return {
    name: 'redis.flush',
    destructive: true,
    inputs,
    outputs: {
      db: { type: 'number', description: 'the database flushed' },
      pattern: { type: 'string', description: 'the key pattern (null for the whole database)' },
      removed: { type: 'number', description: 'keys removed' },
      keys_before: { type: 'number', description: 'keys before' },
      keys_after: { type: 'number', description: 'keys after' },
    },
    async plan(input, context) {
      const { target, db } = placeOf(targets, input);
      const pattern = input.pattern ?? null;
      const { total, matched, exact } = await onRedisTarget(
        target,
        context.signal,
        async (client) => {
          const size = await client.dbsize();
          return { total: size, ...(pattern === null ? { matched: size, exact: true } : await countMatching(client, pattern)) };
        },
        db,
      );
      const where = `db ${db} of Redis target ${target.name}`;
      if (matched === 0) {
        throw new UserError(pattern === null ? `${where} has no keys; there is nothing to flush.` : `No key in ${where} matches ${quoted(pattern)}; there is nothing to flush. (${total} keys in that db.)`);
      }
      const count = `${exact ? '' : 'at least '}${matched}`;
      return {
        summary: pattern === null ? `flush ${where}: all ${matched} keys` : `delete the ${count} keys matching ${quoted(pattern)} in ${where}`,
        detail: [
          pattern === null
            ? `command: SELECT ${db}, FLUSHDB ASYNC (the server frees the memory in the background)`
            : `commands: SELECT ${db}, SCAN MATCH ${quoted(pattern)} COUNT ${scanBatch}, UNLINK each batch, until SCAN is done`,
          `keys in db ${db} now: ${total}; matching now: ${count}${exact ? '' : ` (counting stopped after ${formatMilliseconds(countBudgetMs)})`}`,
          'impact: the applications reading these keys miss and rebuild them; expect load on what fills the cache',
        ],
        lockKey: `redis:${target.name}/db${db}`,
        data: { db, pattern, matched, exact },
      };
    },
    async run(input, context) {
      const { target } = placeOf(targets, input);
      const planned = approvedData('redis.flush', planData, context);
      if (!planned) throw new CodedError('REDIS_FLUSH_UNAPPROVED', 'redis.flush runs only on an approved plan', { target: target.name });
      const where = `db ${planned.db} of Redis target ${target.name}`;
      await context.progress(planned.pattern === null ? `FLUSHDB ASYNC on ${where}…` : `deleting the keys matching ${quoted(planned.pattern)} in ${where}…`);
      const result = await onRedisTarget(
        target,
        context.signal,
        async (client) => {
          const before = await client.dbsize();
          const removed =
            planned.pattern === null
              ? (await client.call('FLUSHDB', 'ASYNC'), null)
              : await unlinkMatching(client, planned.pattern, (count) => context.progress(`deleted ${count} keys matching ${quoted(planned.pattern!)}…`));
          return { before, removed, after: await client.dbsize() };
        },
        planned.db,
      );
      const sentence =
        result.removed === null
          ? `Flushed ${where}: ${result.before} keys before, ${result.after} now.`
          : `Deleted ${result.removed} keys matching ${quoted(planned.pattern!)} in ${where} (${planned.matched} matched when approved); ${result.after} keys remain.`;
      return {
        message: notice('info', sentence),
        summary: sentence,
        output: { db: planned.db, pattern: planned.pattern, removed: result.removed, keys_before: result.before, keys_after: result.after },
      };
    },
  };
}
