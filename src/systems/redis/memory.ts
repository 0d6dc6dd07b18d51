import { z } from 'zod';
import type { ActionDefinition } from '../../core/action.js';
import { notice } from '../../core/report.js';
import { table } from '../../render/table.js';
import { formatBytes, formatMilliseconds, formatPercent } from '../../render/units.js';
import { sampleKeyPatterns, type KeySample } from './key-patterns.js';
import { numberOf, type RedisTarget } from './probe.js';
import { onRedisTarget, parseInfo, redisTargetInput, resolveRedisTarget } from './target.js';

const inputs = z.object({
  target: redisTargetInput,
  sample_keys: z.number().int().min(1).max(100_000).default(5_000),
  sample_ms: z.number().int().min(100).max(60_000).default(2_000),
});

const patternsShown = 10;

/**
 * `redis.memory`: the highlights of INFO memory (used, peak, RSS and fragmentation, maxmemory and policy,
 * evictions), MEMORY DOCTOR's advice, and the biggest key patterns from a bounded sample (SCAN with MEMORY
 * USAGE, at most `sample_keys` keys and `sample_ms` ms). Read-only. Outputs: `used_bytes`, `max_bytes`,
 * `used_pct` (null without maxmemory), `fragmentation`, `evicted_keys`, `doctor`, `patterns`
 * (`[{pattern, keys, bytes}]`, biggest first), `sampled_keys`, `total_keys`.
 */
export function redisMemoryAction(targets: readonly RedisTarget[]): ActionDefinition<z.output<typeof inputs>> {
  return {
    name: 'redis.memory',
    destructive: false,
    inputs,
    outputs: {
      used_bytes: { type: 'number', description: 'used_memory' },
      max_bytes: { type: 'number', description: 'maxmemory (0 without a limit)' },
      used_pct: { type: 'number', description: 'used of maxmemory in % (null without maxmemory)' },
      fragmentation: { type: 'number', description: 'mem_fragmentation_ratio (null when unknown)' },
      evicted_keys: { type: 'number', description: 'keys evicted since the start' },
      doctor: { type: 'string', description: 'MEMORY DOCTOR\'s advice' },
      patterns: { type: 'list', description: 'the biggest key patterns: [{pattern, keys, bytes}]' },
      sampled_keys: { type: 'number', description: 'keys sampled' },
      total_keys: { type: 'number', description: 'keys in the database' },
    },
    async plan(input) {
      const target = resolveRedisTarget(targets, input.target);
      return {
        summary: `read the memory of Redis target ${target.name} and sample its biggest key patterns, read-only`,
        detail: ['commands: INFO memory, MEMORY DOCTOR, DBSIZE', `SCAN with MEMORY USAGE over at most ${input.sample_keys} keys or ${formatMilliseconds(input.sample_ms)}`],
      };
    },
    async run(input, context) {
      const target = resolveRedisTarget(targets, input.target);
      await context.progress(`reading the memory of ${target.name}…`);
      const { info, doctor, totalKeys, sample } = await onRedisTarget(target, context.signal, async (client) => {
        const [infoText, doctorText, size] = await Promise.all([
          client.info('memory').then(async (memory) => `${memory}\n${await client.info('stats')}`),
          client.call('MEMORY', 'DOCTOR').then(String, () => 'MEMORY DOCTOR is not allowed for this user.'),
          client.dbsize(),
        ]);
        return { info: parseInfo(infoText), doctor: doctorText.trim(), totalKeys: size, sample: await sampleKeyPatterns(client, { keys: input.sample_keys, ms: input.sample_ms }) };
      });
      const used = numberOf(info, 'used_memory');
      const max = numberOf(info, 'maxmemory');
      const fragmentation = Number(info.get('mem_fragmentation_ratio') ?? Number.NaN);
      const text = [
        `Memory of Redis target ${target.name}:`,
        `  used ${formatBytes(used)}${max > 0 ? ` of ${formatBytes(max)} (${formatPercent((used / max) * 100)}), policy ${info.get('maxmemory_policy') ?? '?'}` : ', no maxmemory set'}; peak ${formatBytes(numberOf(info, 'used_memory_peak'))}`,
        `  RSS ${formatBytes(numberOf(info, 'used_memory_rss'))}, fragmentation ${Number.isFinite(fragmentation) ? fragmentation.toFixed(2) : '?'}; ${numberOf(info, 'evicted_keys')} keys evicted since start`,
        `MEMORY DOCTOR: ${doctor.replace(/\s+/g, ' ').slice(0, 600)}`,
        sampleSentence(sample, totalKeys),
      ];
      const rows = sample.patterns.slice(0, patternsShown).map((pattern) => [
        pattern.pattern.length > 60 ? `${pattern.pattern.slice(0, 59)}…` : pattern.pattern,
        String(pattern.keys),
        formatBytes(pattern.bytes),
        sample.sampledBytes > 0 ? formatPercent((pattern.bytes / sample.sampledBytes) * 100) : '0 %',
      ]);
      return {
        message: notice('info', text.join('\n'), rows.length > 0 ? table(['pattern', 'keys', 'memory', 'share'], rows) : undefined),
        summary: `${target.name}: ${formatBytes(used)} used${sample.patterns[0] ? `, biggest pattern ${sample.patterns[0].pattern}` : ''}`,
        output: {
          used_bytes: used,
          max_bytes: max,
          used_pct: max > 0 ? (used / max) * 100 : null,
          fragmentation: Number.isFinite(fragmentation) ? fragmentation : null,
          evicted_keys: numberOf(info, 'evicted_keys'),
          doctor,
          patterns: sample.patterns.slice(0, patternsShown),
          sampled_keys: sample.sampledKeys,
          total_keys: totalKeys,
        },
      };
    },
  };
}

function sampleSentence(sample: KeySample, totalKeys: number): string {
  if (sample.sampledKeys === 0) return 'The database has no keys.';
  const scope = sample.complete ? `all ${sample.sampledKeys} keys` : `a sample of ${sample.sampledKeys} of ${totalKeys} keys (the budget ran out; shares are of the sample)`;
  return `Biggest key patterns (ids as *), from ${scope}, read in ${formatMilliseconds(sample.elapsedMs)}:`;
}
