import type { Redis } from 'ioredis';
import { z } from 'zod';
import { durationMs, emptyAsAbsent } from '../../core/action-inputs.js';
import type { ActionDefinition } from '../../core/action.js';
import { UserError } from '../../core/errors.js';
import { notice } from '../../core/report.js';
import { timeText } from '../../core/time.js';
import { formatSeconds } from '../../render/units.js';
import { numberOf, type RedisTarget } from './probe.js';
import { onRedisTarget, parseInfo, redisTargetInput, resolveRedisTarget } from './target.js';

const inputs = z.object({
  target: redisTargetInput,
  wait: z.preprocess((value) => emptyAsAbsent(value) ?? '2m', durationMs),
});

const pollMs = 200;
const progressEveryMs = 5_000;

async function persistence(client: Redis): Promise<Map<string, string>> {
  return parseInfo(await client.info('persistence'));
}

/** Starts BGSAVE (the fork is made before it answers); when a save is already running, joins it. True when this call started one. */
async function startSave(client: Redis): Promise<boolean> {
  try {
    await client.bgsave();
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/already in progress/i.test(message)) return false;
    if (/append only file rewriting/i.test(message)) throw new UserError('Redis is rewriting its append-only file; start the background save when that has finished.');
    throw new UserError(`Redis refused BGSAVE: ${message.replace(/^ERR /, '').slice(0, 200)}`);
  }
}

/**
 * `redis.bgsave`: starts a background save (or joins the one running), shows its progress and waits up to
 * `wait` for it to end (INFO persistence `rdb_bgsave_in_progress` back at 0), then reports the save's status and how long it took. Safe: Redis forks and
 * goes on serving. Outputs: `status` (ok or err), `last_save` (ISO), `previous_save` (ISO), `seconds`.
 */
export function redisBgsaveAction(targets: readonly RedisTarget[]): ActionDefinition<z.output<typeof inputs>> {
  return {
    name: 'redis.bgsave',
    destructive: false,
    inputs,
    outputs: {
      status: { type: 'string', description: 'rdb_last_bgsave_status: ok or err' },
      last_save: { type: 'string', description: 'LASTSAVE after (ISO)' },
      previous_save: { type: 'string', description: 'LASTSAVE before (ISO)' },
      seconds: { type: 'number', description: 'how long the save took' },
    },
    async plan(input) {
      const target = resolveRedisTarget(targets, input.target);
      return {
        summary: `save Redis target ${target.name} to disk in the background (BGSAVE) and wait up to ${formatSeconds(input.wait / 1000)}`,
        detail: ['commands: LASTSAVE, BGSAVE, then INFO persistence until the save has ended, LASTSAVE', 'impact: Redis forks; memory can grow by the pages written meanwhile'],
      };
    },
    async run(input, context) {
      const target = resolveRedisTarget(targets, input.target);
      const result = await onRedisTarget(target, context.signal, async (client) => {
        const previous = await client.lastsave();
        const started = Date.now();
        const ours = await startSave(client);
        await context.progress(ours ? `background save of ${target.name} started…` : `a background save of ${target.name} was already running; waiting for it…`);
        let lastProgress = Date.now();
        for (;;) {
          const info = await persistence(client);
          if (info.get('rdb_bgsave_in_progress') === '0') return { info, saved: await client.lastsave(), previous };
          if (Date.now() - started > input.wait) {
            throw new UserError(`The background save of Redis target ${target.name} is still running after ${formatSeconds(input.wait / 1000)}; it goes on in Redis. Check later with /maint health ${target.name}.`);
          }
          if (Date.now() - lastProgress >= progressEveryMs) {
            lastProgress = Date.now();
            await context.progress(`background save of ${target.name} running for ${formatSeconds(numberOf(info, 'rdb_current_bgsave_time_sec'))}…`);
          }
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
      });
      const status = result.info.get('rdb_last_bgsave_status') ?? 'unknown';
      const seconds = numberOf(result.info, 'rdb_last_bgsave_time_sec');
      const output = { status, last_save: new Date(result.saved * 1000).toISOString(), previous_save: new Date(result.previous * 1000).toISOString(), seconds };
      if (status !== 'ok') {
        return {
          message: notice('error', `The background save of Redis target ${target.name} failed (rdb_last_bgsave_status ${status}); check disk space and the Redis log.`),
          summary: `${target.name}: background save failed`,
          failure: `the background save of Redis target ${target.name} failed; check disk space and the Redis log`,
          output,
        };
      }
      const sentence = `Saved Redis target ${target.name} in the background in ${formatSeconds(seconds)}: last save ${timeText(result.saved * 1000)} (before: ${timeText(result.previous * 1000)}).`;
      return { message: notice('info', sentence), summary: `${target.name}: saved in ${formatSeconds(seconds)}`, output };
    },
  };
}
