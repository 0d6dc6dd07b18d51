import { describe, expect, it } from 'vitest';
import { ServerSlots } from '../../../src/checks/server-slots.js';
import { healthSettingsSchema, probeSettingsOf } from '../../../src/config/targets.js';
import { SharedSessions, sessionKey, type SessionKind } from '../../../src/core/shared-sessions.js';
import { TableStatsCache } from '../../../src/systems/postgres/probes/table-stats.js';

/** A connection kind that counts opens and closes; `open` answers when told to. */
function countedKind(options: { fail?: Error; ownFailure?: (error: unknown) => boolean } = {}) {
  const counts = { opened: 0, closed: 0, open: 0 };
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const kind: SessionKind<{ id: number }> = {
    open: async () => {
      counts.opened += 1;
      await gate;
      if (options.fail) throw options.fail;
      counts.open += 1;
      return { id: counts.opened };
    },
    close: async () => {
      counts.closed += 1;
      counts.open -= 1;
    },
    ...(options.ownFailure ? { ownFailure: options.ownFailure } : {}),
  };
  return { kind, counts, release: () => release() };
}

const never = new AbortController().signal;

describe('SharedSessions: one connection per server, user and password in one health run', () => {
  it('opens one connection for every user of a key, and closes it once the last is done', async () => {
    const sessions = new SharedSessions();
    const { kind, counts, release } = countedKind();
    const uses = [1, 2, 3].map((n) => sessions.use('pg u@h:5432 abc', 'postgres h:5432', kind, async (connection) => connection.id * 10 + n, never));
    release();
    expect(await Promise.all(uses)).toEqual([11, 12, 13]);
    await sessions.settled();
    expect(counts).toEqual({ opened: 1, closed: 1, open: 0 });
  });

  it('fails every waiting user with the server\'s error, but lets them open again themselves after an opener\'s own failure', async () => {
    const sessions = new SharedSessions();
    const down = countedKind({ fail: new Error('connection refused') });
    const waiting = [sessions.use('k', undefined, down.kind, async () => 'used', never), sessions.use('k', undefined, down.kind, async () => 'used', never)];
    down.release();
    await expect(Promise.all(waiting)).rejects.toThrow('connection refused');
    expect(down.counts.opened).toBe(1);

    const missing = new Error('database "gone" does not exist');
    const opener = countedKind({ fail: missing, ownFailure: (error) => error === missing });
    const fine = countedKind();
    const first = sessions.use('k2', undefined, opener.kind, async () => 'opener', never);
    const second = sessions.use('k2', undefined, fine.kind, async (connection) => `second on ${connection.id}`, never);
    opener.release();
    fine.release();
    await expect(first).rejects.toThrow(missing);
    expect(await second).toBe('second on 1');
    expect(fine.counts.opened).toBe(1);
  });

  it('stops waiting as soon as a user\'s signal aborts, and the others keep the connection', async () => {
    const sessions = new SharedSessions();
    const { kind, counts, release } = countedKind();
    const controller = new AbortController();
    const aborted = sessions.use('k', undefined, kind, async () => 'late', controller.signal);
    const other = sessions.use('k', undefined, kind, async (connection) => connection.id, never);
    controller.abort(new Error('timed out'));
    await expect(aborted).rejects.toThrow('timed out');
    release();
    expect(await other).toBe(1);
    await sessions.settled();
    expect(counts).toEqual({ opened: 1, closed: 1, open: 0 });
  });

  it('holds one server slot per session and per own connection, and cannot lock with a bound of one', async () => {
    const slots = new ServerSlots(1);
    const sessions = new SharedSessions(slots);
    const { kind, release } = countedKind();
    let open = 0;
    let most = 0;
    const own = () =>
      sessions.own('postgres h:5432', async () => {
        open += 1;
        most = Math.max(most, open);
        await Promise.resolve();
        open -= 1;
      });
    const probe = async () => {
      await sessions.use('k', 'postgres h:5432', kind, async () => undefined, never);
      await own();
    };
    release();
    await Promise.all([probe(), probe(), probe()]);
    await sessions.settled();
    expect(most).toBe(1);
  });

  it('keys by the reader and a hash of the password, never the password itself', () => {
    const reader = 'postgres: app@h:5432 ';
    const first = sessionKey(reader, 'postgres://app:hunter2@h/db_1');
    expect(first).not.toContain('hunter2');
    expect(sessionKey(reader, 'postgres://app:hunter2@h/db_2')).toBe(first);
    expect(sessionKey(reader, 'postgres://app:other@h/db_1')).not.toBe(first);
  });
});

describe('TableStatsCache: table stats reported again, with their age, until health.table_stats_every', () => {
  const line = { checkId: 'postgres.dead_tuples', subject: 'db', label: 'dead tuples (db)', status: 'ok' as const, text: 'no table above the minimum' };

  it('gives the last read with its age while it is younger than the setting, then asks for a new one', () => {
    const cache = new TableStatsCache(10 * 60_000);
    expect(cache.fresh('db', 0)).toBeUndefined();
    cache.remember('db', [line], 1_000);
    expect(cache.fresh('db', 241_000)).toEqual([{ ...line, text: 'no table above the minimum (read 4 min ago)' }]);
    expect(cache.fresh('db', 601_000)).toBeUndefined();
  });

  it('never keeps a read that failed, and keeps nothing with 0', () => {
    const cache = new TableStatsCache(10 * 60_000);
    cache.remember('db', [{ ...line, status: 'unknown', text: 'could not be read (permission denied)' }], 0);
    expect(cache.fresh('db', 1)).toBeUndefined();
    const everyRun = new TableStatsCache(0);
    everyRun.remember('db', [line], 0);
    expect(everyRun.fresh('db', 0)).toBeUndefined();
  });
});

describe('health.table_stats_every', () => {
  it('defaults to 10 minutes, takes a duration or 0 for every run, and rejects anything else', () => {
    const every = (value?: unknown) => probeSettingsOf(healthSettingsSchema.parse(value === undefined ? {} : { table_stats_every: value })).tableStatsEveryMs;
    expect(every()).toBe(600_000);
    expect(every('1h')).toBe(3_600_000);
    expect(every(0)).toBe(0);
    expect(every('0')).toBe(0);
    expect(healthSettingsSchema.safeParse({ table_stats_every: 'often' }).error?.issues[0]?.message).toBe('expected a duration such as 10m or 1h, or 0 for every run');
  });
});
