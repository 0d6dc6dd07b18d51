import { z } from 'zod';
import { checkIds, type ProbeFinding } from '../../core/finding.js';
import { TargetUnreachable, type Probe } from '../../core/probe.js';
import { SharedReads } from '../../core/shared-reads.js';
import { SharedSessions, sessionKey, type SessionKind } from '../../core/shared-sessions.js';
import { checkLimitOrder, highLimitsText, judgeHigh, judgeLow, lowLimitsText, type LimitPair } from '../../core/judge.js';
import type { Redis } from 'ioredis';
import { closeRedis, onRedis, openRedis, redisAddress, redisUrlDatabase } from './client.js';
import { parseInfo } from './target.js';
import { targetNameSchema } from '../../core/target-name.js';
import { formatBytes, formatPercent, formatSeconds } from '../../render/units.js';
import { targetCommonFields } from '../../core/target-fields.js';
import { server, serverAddress, serverReader } from '../../core/server-address.js';

const percent = z.number().min(0).max(100);
const ratio = z.number().min(0).max(1);

const redisThresholdsSchema = z
  .object({
    memory_warn_pct: percent.default(75),
    memory_crit_pct: percent.default(90),
    hit_ratio_warn: ratio.default(0.9),
    hit_ratio_crit: ratio.default(0.8),
    last_save_warn_h: z.number().positive().default(24),
    slowlog_warn: z.number().int().min(1).default(10),
    clients_warn_pct: percent.default(80),
    clients_crit_pct: percent.default(95),
  })
  .strict();

type RedisThresholds = z.output<typeof redisThresholdsSchema>;

const limitPairs: readonly LimitPair<RedisThresholds>[] = [
  ['memory_warn_pct', 'memory_crit_pct', 'higher'],
  ['hit_ratio_warn', 'hit_ratio_crit', 'lower'],
  ['clients_warn_pct', 'clients_crit_pct', 'higher'],
];

/** One Redis to check: `targets.redis[]` in the config. */
export const redisTargetSchema = z
  .object({
    name: targetNameSchema,
    url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL'),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    thresholds: redisThresholdsSchema
      .superRefine((thresholds, ctx) =>
        checkLimitOrder(thresholds, limitPairs, (problem) => ctx.addIssue({ code: 'custom', ...problem })),
      )
      .prefault({}),
  })
  .strict();

/** A validated Redis target, defaults filled in. */
export type RedisTarget = z.output<typeof redisTargetSchema>;

/** What one run reads from Redis. */
interface RedisFacts {
  info: Map<string, string>;
  /** The `save` rules; undefined when CONFIG GET is not allowed. */
  saveRules: string | undefined;
  /** Undefined when SLOWLOG is not allowed for this user. */
  slowlogLength: number | undefined;
  /** How many logical databases the server has (`databases`); undefined when CONFIG GET is not allowed. */
  databases: number | undefined;
}

/** The eviction counter seen by the previous run, to report evictions since the last check. */
interface EvictionMark {
  runId: string;
  evictedKeys: number;
  at: number;
}

/**
 * Checks one Redis: reachability and version, memory against maxmemory, hit ratio, evictions since the last run,
 * persistence, clients and the slow log. Keeps the eviction counter between runs. Targets on one server, user
 * and password share one connection per run (`SharedSessions`) and one read of these server-wide facts; each
 * proves its own logical database exists (against `databases`, or with SELECT when CONFIG GET is not allowed).
 */
export function createRedisProbe(target: RedisTarget): Probe {
  let previous: EvictionMark | undefined;
  let where: TargetWhere | undefined;
  const thresholdsKey = JSON.stringify(target.thresholds);
  const { server: serverName } = server(serverAddress(target.url, 6379), 'redis');
  return {
    target: target.name,
    system: 'redis',
    optional: target.optional,
    ...(serverName === undefined ? {} : { server: serverName }),
    connections: 0,
    async run(signal, shared, sessions) {
      where ??= targetWhere(target.url);
      const facts = await readRedis(where, serverName, signal, shared ?? new SharedReads(), sessions ?? new SharedSessions());
      const now = Date.now();
      const mark: EvictionMark = {
        runId: facts.info.get('run_id') ?? '',
        evictedKeys: numberOf(facts.info, 'evicted_keys'),
        at: now,
      };
      const lines = judgeRedis(facts, target.thresholds, thresholdsKey, previous, now);
      previous = mark;
      return lines;
    },
  };
}

/** Where a target's URL points, the same on every run. */
interface TargetWhere {
  url: string;
  reader: string;
  sessionKey: string;
  session: SessionKind<Redis>;
  db: number;
  address: string;
}

function targetWhere(url: string): TargetWhere {
  const reader = serverReader(url, 6379, 'db');
  return { url, reader, sessionKey: sessionKey(reader, url), session: redisSession(url), db: redisUrlDatabase(url), address: redisAddress(url) };
}

/**
 * On the run's connection to the target's server (as its user), reads the server-wide facts once per server and
 * user in one health run (the other targets there share them) and proves the target's logical database exists.
 */
async function readRedis(where: TargetWhere, serverName: string | undefined, signal: AbortSignal, shared: SharedReads, sessions: SharedSessions): Promise<RedisFacts> {
  const { url, reader } = where;
  return sessions.use(
    where.sessionKey,
    serverName,
    where.session,
    async (client) => {
      const facts = await shared.read(`${reader} info`, () => onRedis(client, url, signal, readFacts(client)), signal);
      await proveDatabase(client, where, facts.databases, signal);
      return facts;
    },
    signal,
  );
}

/**
 * The shared connection of a run: to the server of `url` as its user, in database 0 (which always exists), sending
 * the commands of one tick (the targets' SELECTs, when CONFIG GET is not allowed) in one write.
 */
function redisSession(url: string): SessionKind<Redis> {
  return { open: (signal) => openRedis(inDatabaseZero(url), signal, { pipelined: true }), close: closeRedis };
}

function inDatabaseZero(url: string): string {
  const parsed = new URL(url);
  parsed.pathname = '';
  parsed.searchParams.delete('db');
  return parsed.toString();
}

/**
 * Proves the target's logical database exists: against the server's `databases` setting when the user may read it
 * (shared, no command per target), else by SELECTing it. One past the setting is reported unreachable.
 */
async function proveDatabase(client: Redis, { url, db, address }: TargetWhere, databases: number | undefined, signal: AbortSignal): Promise<void> {
  const outOfRange = () =>
    new TargetUnreachable(`logical database ${db} does not exist at ${address} (out of range of its \`databases\` setting)`, {
      note: 'fix the database number in the URL, or raise `databases` in the server\'s redis.conf (a restart applies it)',
    });
  if (db === 0) return;
  if (databases !== undefined && Number.isInteger(databases)) {
    if (db >= databases) throw outOfRange();
    return;
  }
  try {
    await onRedis(client, url, signal, client.select(db));
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/out of range/i.test(message)) throw outOfRange();
    if (message.startsWith('NOPERM')) {
      throw new TargetUnreachable(`the user in the URL may not SELECT logical database ${db} at ${address}`, { note: 'grant the user +select' });
    }
    throw error;
  }
}

async function readFacts(client: Redis): Promise<RedisFacts> {
  const setting = (name: string): Promise<string | undefined> =>
    client.config('GET', name).then(
      (reply) => (Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined),
      () => undefined,
    );
  const [info, save, databases, slowlogLength] = await Promise.all([
    client.info(),
    setting('save'),
    setting('databases'),
    client.call('SLOWLOG', 'LEN').then(Number, () => undefined),
  ]);
  return { info: parseInfo(info), saveRules: save, slowlogLength, databases: databases === undefined ? undefined : Number(databases) };
}

/** A numeric INFO field, 0 when absent. */
export function numberOf(info: Map<string, string>, key: string): number {
  const value = Number(info.get(key));
  return Number.isFinite(value) ? value : 0;
}

/** The lines of one server's facts judged by one set of thresholds, before and after the target's own evictions line. */
interface ServerLines {
  before: ProbeFinding[];
  after: ProbeFinding[];
}

const judgedFacts = new WeakMap<RedisFacts, Map<string, ServerLines>>();

/**
 * Every line of a target: those that depend only on the server's facts are judged once per read and thresholds
 * (the targets of one server share both), the evictions since the target's own last check for each target.
 */
function judgeRedis(facts: RedisFacts, thresholds: RedisThresholds, thresholdsKey: string, previous: EvictionMark | undefined, now: number): ProbeFinding[] {
  let byThresholds = judgedFacts.get(facts);
  if (byThresholds === undefined) {
    byThresholds = new Map();
    judgedFacts.set(facts, byThresholds);
  }
  let server = byThresholds.get(thresholdsKey);
  if (server === undefined) {
    server = judgeServer(facts, thresholds, now);
    byThresholds.set(thresholdsKey, server);
  }
  return [...server.before, evictionsLine(facts.info, previous, now), ...server.after];
}

function judgeServer(facts: RedisFacts, thresholds: RedisThresholds, now: number): ServerLines {
  const { info } = facts;
  const replication = replicationLine(info);
  return {
    before: [reachableLine(info), ...(replication ? [replication] : []), memoryLine(info, thresholds), hitRatioLine(info, thresholds)],
    after: [...persistenceLines(info, facts.saveRules, thresholds, now), clientsLine(info, thresholds), slowlogLine(facts.slowlogLength, thresholds)],
  };
}

function reachableLine(info: Map<string, string>): ProbeFinding {
  const version = info.get('redis_version') ?? 'unknown version';
  const role = info.get('role') ?? 'unknown role';
  const uptime = numberOf(info, 'uptime_in_seconds');
  return {
    checkId: checkIds.reachable,
    status: 'ok',
    measure: { value: uptime, unit: 'seconds' },
    label: 'reachable',
    text: `Redis ${version} (${role}), up ${formatSeconds(uptime)}`,
  };
}

function replicationLine(info: Map<string, string>): ProbeFinding | undefined {
  if (info.get('role') !== 'slave') return undefined;
  const link = info.get('master_link_status') ?? 'unknown';
  const master = `${info.get('master_host') ?? '?'}:${info.get('master_port') ?? '?'}`;
  const check = { checkId: 'redis.replication', label: 'replication' };
  if (link === 'up') return { ...check, status: 'ok', text: `link to ${master} up`, threshold: 'crit when the link is down' };
  return {
    ...check,
    status: 'crit',
    text: `link to ${master} ${link}, down for ${formatSeconds(numberOf(info, 'master_link_down_since_seconds'))}`,
    threshold: 'crit when the link is down',
    note: 'this replica serves stale data: check that the master is up and reachable from here',
  };
}

function memoryLine(info: Map<string, string>, thresholds: RedisThresholds): ProbeFinding {
  const used = numberOf(info, 'used_memory');
  const max = numberOf(info, 'maxmemory');
  const policy = info.get('maxmemory_policy') ?? 'unknown';
  const limits = { warn: thresholds.memory_warn_pct, crit: thresholds.memory_crit_pct };
  const check = { checkId: 'redis.memory', label: 'memory' };
  if (max === 0) {
    return {
      ...check,
      status: 'ok',
      text: `${formatBytes(used)} used, no maxmemory set`,
      threshold: `${highLimitsText(limits, ' %')} of maxmemory (none set)`,
      note: 'nothing to judge against: Redis grows until the host runs out of memory (see the host memory line); set maxmemory and a policy to get a limit here',
    };
  }
  const usedPct = (used / max) * 100;
  const status = judgeHigh(usedPct, limits);
  const line: ProbeFinding = {
    ...check,
    status,
    measure: { value: usedPct, unit: 'percent' },
    text: `${formatBytes(used)} of ${formatBytes(max)} (${formatPercent(usedPct)}), policy ${policy}`,
    threshold: highLimitsText(limits, ' %'),
  };
  if (status !== 'ok') {
    line.note =
      policy === 'noeviction'
        ? 'when full, writes fail with OOM errors: raise maxmemory or delete keys'
        : `when full, Redis evicts keys (${policy}): raise maxmemory if those keys matter`;
  }
  return line;
}

function hitRatioLine(info: Map<string, string>, thresholds: RedisThresholds): ProbeFinding {
  const hits = numberOf(info, 'keyspace_hits');
  const misses = numberOf(info, 'keyspace_misses');
  const limits = { warn: thresholds.hit_ratio_warn, crit: thresholds.hit_ratio_crit };
  const threshold = lowLimitsText(limits);
  const check = { checkId: 'redis.hit_ratio', label: 'hit ratio' };
  if (hits + misses === 0) {
    return { ...check, status: 'ok', text: 'no key lookups since start', threshold };
  }
  const hitRatio = hits / (hits + misses);
  const status = judgeLow(hitRatio, limits);
  const line: ProbeFinding = {
    ...check,
    status,
    measure: { value: hitRatio, unit: 'ratio' },
    text: `${(Math.floor(hitRatio * 100) / 100).toFixed(2)} (${hits} hits, ${misses} misses since start)`,
    threshold,
  };
  if (status !== 'ok') {
    line.note =
      'most lookups miss: check TTLs and that the app caches what it reads; ignore if this Redis is a queue or lock store, not a cache';
  }
  return line;
}

function evictionsLine(info: Map<string, string>, previous: EvictionMark | undefined, now: number): ProbeFinding {
  const total = numberOf(info, 'evicted_keys');
  const runId = info.get('run_id') ?? '';
  const comparable = previous !== undefined && previous.runId === runId && previous.evictedKeys <= total;
  const recent = comparable ? total - previous.evictedKeys : total;
  const since = comparable
    ? `since the last check ${formatSeconds((now - previous.at) / 1000)} ago (${total} since start)`
    : 'since start';
  const line: ProbeFinding = {
    checkId: 'redis.evictions',
    status: recent > 0 ? 'warn' : 'ok',
    measure: { value: recent, unit: 'count' },
    label: 'evictions',
    text: `${recent} ${since}`,
    threshold: 'warn at any eviction',
  };
  if (recent > 0) line.note = 'Redis is full and dropping keys to make room: raise maxmemory or shorten TTLs';
  return line;
}

function persistenceLines(
  info: Map<string, string>,
  saveRules: string | undefined,
  thresholds: RedisThresholds,
  now: number,
): ProbeFinding[] {
  const aofOn = info.get('aof_enabled') === '1';
  const rdbOn = saveRules !== '';
  if (!aofOn && !rdbOn) {
    return [
      {
        checkId: 'redis.persistence',
        status: 'ok',
        label: 'persistence',
        text: 'persistence off (no save rules, no AOF)',
        threshold: 'warn on a failed or stale save, when persistence is on',
        note: 'data is lost on restart: fine for a cache, not for a store',
      },
    ];
  }
  const lines: ProbeFinding[] = [];
  if (rdbOn) lines.push(lastSaveLine(info, thresholds, now));
  if (aofOn) lines.push(appendOnlyLine(info));
  return lines;
}

function lastSaveLine(info: Map<string, string>, thresholds: RedisThresholds, now: number): ProbeFinding {
  const threshold = `crit when the last save failed; warn when unsaved changes are older than ${thresholds.last_save_warn_h} h`;
  const ageS = now / 1000 - numberOf(info, 'rdb_last_save_time');
  const changes = numberOf(info, 'rdb_changes_since_last_save');
  const when = info.get('rdb_saves') === '0' ? 'no save since the start' : 'last save';
  const text = `${info.get('rdb_last_bgsave_status') ?? 'unknown'}, ${when} ${formatSeconds(ageS)} ago, ${changes} changes since`;
  const check = { checkId: 'redis.last_save', label: 'last background save', measure: { value: ageS, unit: 'seconds' } } as const;
  if (info.get('rdb_last_bgsave_status') === 'err') {
    return {
      ...check,
      status: 'crit',
      text,
      threshold,
      note: 'the last save failed: check disk space and the Redis log; Redis may refuse writes (stop-writes-on-bgsave-error)',
    };
  }
  if (changes > 0 && ageS >= thresholds.last_save_warn_h * 3600) {
    return {
      ...check,
      status: 'warn',
      text,
      threshold,
      note: 'a restart now would lose these changes: check the save rules and the Redis log',
    };
  }
  return { ...check, status: 'ok', text, threshold };
}

function appendOnlyLine(info: Map<string, string>): ProbeFinding {
  const write = info.get('aof_last_write_status') ?? 'unknown';
  const rewrite = info.get('aof_last_bgrewrite_status') ?? 'unknown';
  const line: ProbeFinding = {
    checkId: 'redis.append_only_file',
    status: write === 'err' ? 'crit' : rewrite === 'err' ? 'warn' : 'ok',
    label: 'append-only file',
    text: `on, last write ${write}, last rewrite ${rewrite}`,
    threshold: 'crit when the last write failed, warn when the last rewrite failed',
  };
  if (line.status !== 'ok') line.note = 'check disk space and the Redis log; a failing AOF loses writes on restart';
  return line;
}

function clientsLine(info: Map<string, string>, thresholds: RedisThresholds): ProbeFinding {
  const connected = numberOf(info, 'connected_clients');
  const blocked = numberOf(info, 'blocked_clients');
  const max = numberOf(info, 'maxclients');
  const blockedText = blocked > 0 ? `, ${blocked} blocked` : '';
  const check = { checkId: 'redis.clients', label: 'connected clients' };
  if (max === 0) {
    return { ...check, status: 'ok', text: `${connected}${blockedText}`, threshold: 'maxclients unknown' };
  }
  const limits = { warn: thresholds.clients_warn_pct, crit: thresholds.clients_crit_pct };
  const usedPct = (connected / max) * 100;
  const line: ProbeFinding = {
    ...check,
    status: judgeHigh(usedPct, limits),
    measure: { value: usedPct, unit: 'percent' },
    text: `${connected} of ${max} (${formatPercent(usedPct)})${blockedText}`,
    threshold: `${highLimitsText(limits, ' %')} of maxclients`,
  };
  if (line.status !== 'ok') line.note = 'new connections are refused at maxclients: look for a connection leak or raise maxclients';
  return line;
}

function slowlogLine(length: number | undefined, thresholds: RedisThresholds): ProbeFinding {
  const check = { checkId: 'redis.slowlog', label: 'slow log' };
  if (length === undefined) {
    return {
      ...check,
      status: 'unknown',
      text: 'cannot read the slow log',
      threshold: `warn at ${thresholds.slowlog_warn} entries`,
      note: 'the user in the URL may not run SLOWLOG: grant it +slowlog to check this',
    };
  }
  const line: ProbeFinding = {
    ...check,
    status: length >= thresholds.slowlog_warn ? 'warn' : 'ok',
    measure: { value: length, unit: 'count' },
    text: `${length} ${length === 1 ? 'entry' : 'entries'}`,
    threshold: `warn at ${thresholds.slowlog_warn} entries`,
  };
  if (line.status !== 'ok') {
    line.note = 'slow commands block every client: read them with SLOWLOG GET 10, then SLOWLOG RESET';
  }
  return line;
}
