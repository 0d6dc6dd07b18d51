import { z } from 'zod';
import type { ActionDefinition } from '../../core/action.js';
import { maskSecrets } from '../../core/mask.js';
import { notice } from '../../core/report.js';
import { table } from '../../render/table.js';
import { formatMilliseconds } from '../../render/units.js';
import type { RedisTarget } from './probe.js';
import { onRedisTarget, redisTargetInput, resolveRedisTarget } from './target.js';

const inputs = z.object({ target: redisTargetInput, count: z.number().int().min(1).max(128).default(10) });

/** One entry of SLOWLOG GET. */
export interface SlowlogEntry {
  id: number;
  at: Date;
  durationUs: number;
  /** The command and its arguments, as Redis kept them (it cuts long ones itself). */
  args: string[];
  client: string;
  clientName: string;
}

const argMax = 32;
const commandMax = 100;

/** Commands whose arguments after the given position are passwords. */
const secretArguments: Record<string, (args: readonly string[]) => number | undefined> = {
  AUTH: () => 1,
  HELLO: (args) => {
    const at = args.findIndex((arg) => arg.toUpperCase() === 'AUTH');
    return at < 0 ? undefined : at + 2;
  },
  MIGRATE: (args) => {
    const at = args.findIndex((arg) => /^AUTH2?$/i.test(arg));
    return at < 0 ? undefined : at + 1;
  },
  CONFIG: (args) => (args[1]?.toUpperCase() === 'SET' && /pass|auth/i.test(args[2] ?? '') ? 3 : undefined),
  ACL: (args) => (args[1]?.toUpperCase() === 'SETUSER' ? 3 : undefined),
};

/**
 * The command of a slow-log entry as one line: passwords (AUTH, HELLO … AUTH, CONFIG SET requirepass…)
 * and secrets `maskSecrets` knows replaced by `***`, the command's name in capitals, each argument cut at 32 characters, the whole at 100.
 */
export function describeCommand(args: readonly string[]): string {
  const name = (args[0] ?? '').toUpperCase();
  const secretFrom = secretArguments[name]?.(args);
  const shown = args.map((arg, index) => {
    if (index === 0) return name;
    if (secretFrom !== undefined && index >= secretFrom) return '***';
    const masked = maskSecrets(arg);
    const cut = masked.length > argMax ? `${masked.slice(0, argMax - 1)}…` : masked;
    return /[\s"]/.test(cut) || cut === '' ? JSON.stringify(cut) : cut;
  });
  const line = shown.join(' ');
  return line.length > commandMax ? `${line.slice(0, commandMax - 1)}…` : line;
}

function toEntry(raw: unknown): SlowlogEntry | undefined {
  if (!Array.isArray(raw) || raw.length < 4) return undefined;
  const [id, at, duration, args, client, clientName] = raw as [unknown, unknown, unknown, unknown, unknown, unknown];
  return {
    id: Number(id),
    at: new Date(Number(at) * 1000),
    durationUs: Number(duration),
    args: Array.isArray(args) ? args.map(String) : [],
    client: typeof client === 'string' ? client : '',
    clientName: typeof clientName === 'string' ? clientName : '',
  };
}

/**
 * `redis.slowlog`: SLOWLOG GET (10 by default) as a table: when (UTC), how long, the client and the
 * command with its arguments cut and masked; with the threshold and how many were logged. Read-only.
 * Outputs: `entries` (how many shown), `slowest_ms`, `logged` (SLOWLOG LEN).
 */
export function redisSlowlogAction(targets: readonly RedisTarget[]): ActionDefinition<z.output<typeof inputs>> {
  return {
    name: 'redis.slowlog',
    destructive: false,
    inputs,
    outputs: {
      entries: { type: 'number', description: 'entries shown' },
      slowest_ms: { type: 'number', description: 'the slowest entry in ms' },
      logged: { type: 'number', description: 'entries in the slow log' },
    },
    async plan(input) {
      const target = resolveRedisTarget(targets, input.target);
      return { summary: `read the ${input.count} newest slow-log entries of Redis target ${target.name}, read-only`, detail: [`command: SLOWLOG GET ${input.count}`] };
    },
    async run(input, context) {
      const target = resolveRedisTarget(targets, input.target);
      const { entries, logged, thresholdUs } = await onRedisTarget(target, context.signal, async (client) => {
        const [raw, length, config] = await Promise.all([
          client.call('SLOWLOG', 'GET', String(input.count)),
          client.call('SLOWLOG', 'LEN'),
          client.config('GET', 'slowlog-log-slower-than').catch(() => []),
        ]);
        const threshold = Array.isArray(config) ? Number(config[1]) : Number.NaN;
        return { entries: (Array.isArray(raw) ? raw : []).map(toEntry).filter((entry) => entry !== undefined), logged: Number(length), thresholdUs: threshold };
      });
      const threshold = Number.isFinite(thresholdUs) ? ` (commands slower than ${formatMilliseconds(thresholdUs / 1000)} are logged)` : '';
      const slowestMs = Math.max(0, ...entries.map((entry) => entry.durationUs / 1000));
      const output = { entries: entries.length, slowest_ms: slowestMs, logged };
      if (entries.length === 0) {
        return { message: notice('info', `The slow log of Redis target ${target.name} is empty${threshold}.`), summary: `${target.name}: slow log empty`, output };
      }
      const rows = entries.map((entry) => [entry.at.toISOString().replace('T', ' ').slice(0, 19), durationText(entry.durationUs), clientText(entry), describeCommand(entry.args)]);
      return {
        message: notice(
          'info',
          `The ${entries.length} newest of ${logged} slow-log entries of Redis target ${target.name}${threshold}. Clear them with SLOWLOG RESET once read.`,
          table(['when (UTC)', 'took', 'client', 'command'], rows),
        ),
        summary: `${target.name}: ${entries.length} slow commands, the slowest ${formatMilliseconds(slowestMs)}`,
        output,
      };
    },
  };
}

function durationText(us: number): string {
  return us < 1000 ? `${us} µs` : formatMilliseconds(us / 1000);
}

function clientText(entry: SlowlogEntry): string {
  return [entry.client, entry.clientName].filter(Boolean).join(' ') || '?';
}
