import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { errorMessage } from '../../../core/errors.js';
import type { PostgresTarget } from '../probe.js';
import { parseDuration } from '../../../core/duration.js';
import { maskUrl } from '../../../core/mask.js';
import { databaseOfUrl, escapeIdentifier, sameServer, withPostgresClient } from '../connection.js';
import { backupConnection } from './connection.js';

/** `<prefix><UTC yyyymmddhhmmss>_<6 hex>`: the time in the name is what the orphan sweep judges age by. */
export function scratchDatabaseName(prefix: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}${stamp}_${randomBytes(3).toString('hex')}`;
}

/** When a scratch database of this prefix was created, from its name; undefined for any other name. */
export function scratchCreatedAt(prefix: string, name: string): Date | undefined {
  if (!name.startsWith(prefix)) return undefined;
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})_[0-9a-f]{6}$/.exec(name.slice(prefix.length));
  if (!match) return undefined;
  const at = new Date(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Drops a database, ending its sessions first (`WITH (FORCE)` from PostgreSQL 13, `pg_terminate_backend` before). */
export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  const version = Number((await client.query<{ v: string }>("select current_setting('server_version_num') as v")).rows[0]!.v);
  if (version >= 130_000) {
    await client.query(`drop database if exists ${escapeIdentifier(name)} with (force)`);
    return;
  }
  await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
  await client.query(`drop database if exists ${escapeIdentifier(name)}`);
}

/** The server a target's restore tests run on: `restore_test.server_url`, else the target's own. */
export function restoreServerUrl(target: PostgresTarget): string {
  return target.backup?.restore_test.server_url ?? target.url;
}

/**
 * Drops scratch databases that restore tests left behind (a crash, a kill): on each restore-test server, every
 * database named `<scratch_prefix><time>_<hex>` whose time is older than `orphan_max_age`. A configured target's
 * own database is never dropped. Returns the names dropped; an unreachable server is logged and skipped.
 */
export async function sweepScratchDatabases(targets: readonly PostgresTarget[], logger: Logger, now: Date = new Date()): Promise<string[]> {
  const dropped: string[] = [];
  const protectedDatabases = targets.map((target) => ({ url: target.url, database: databaseOfUrl(target.url) }));
  for (const target of targets) {
    const settings = target.backup?.restore_test;
    if (!settings) continue;
    const url = restoreServerUrl(target);
    const maxAgeMs = parseDuration(settings.orphan_max_age) ?? 6 * 3_600_000;
    try {
      const names = await withPostgresClient(backupConnection(url), AbortSignal.timeout(60_000), async (client) => {
        const rows = (await client.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1)', [settings.scratch_prefix])).rows;
        const orphans = rows
          .map((row) => row.datname)
          .filter((name) => {
            const createdAt = scratchCreatedAt(settings.scratch_prefix, name);
            if (!createdAt || now.getTime() - createdAt.getTime() < maxAgeMs) return false;
            return !protectedDatabases.some((place) => place.database === name && sameServer(place.url, url));
          });
        for (const name of orphans) await dropDatabase(client, name);
        return orphans;
      });
      for (const name of names) logger.warn({ target: target.name, database: name, server: maskUrl(url) }, 'dropped a scratch database a restore test left behind');
      dropped.push(...names);
    } catch (error) {
      logger.warn({ target: target.name, server: maskUrl(url), err: errorMessage(error) }, 'could not sweep scratch databases of restore tests');
    }
  }
  return dropped;
}

const settleMs = 60_000;

/**
 * Creates a scratch database. The statement is not cut short by the caller's abort, so once it returns or
 * throws the server has settled it and a later drop sees the database if it was created.
 */
export async function createScratchDatabase(serverUrl: string, name: string): Promise<void> {
  await withPostgresClient(backupConnection(serverUrl), AbortSignal.timeout(settleMs), (client) => client.query(createStatement(name)));
}

/**
 * Drops a scratch database if it exists, after any `CREATE DATABASE` of it still running on the server (one whose
 * client went away) has finished, so a create racing with an abort never leaves the database behind.
 */
export async function dropScratchDatabase(serverUrl: string, name: string): Promise<void> {
  await withPostgresClient(backupConnection(serverUrl), AbortSignal.timeout(2 * settleMs), async (client) => {
    const deadline = Date.now() + settleMs;
    while (Date.now() < deadline) {
      const running = await client.query("select 1 from pg_stat_activity where state = 'active' and query = $1 and pid <> pg_backend_pid()", [createStatement(name)]);
      if (running.rowCount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await dropDatabase(client, name);
  });
}

function createStatement(name: string): string {
  return `create database ${escapeIdentifier(name)} template template0`;
}

/** How often the orphan sweep repeats while the bot runs: the shortest `restore_test.orphan_sweep_every` of the targets with backups. */
export function orphanSweepInterval(targets: readonly PostgresTarget[]): number | undefined {
  const intervals = targets.flatMap((target) => (target.backup ? [parseDuration(target.backup.restore_test.orphan_sweep_every)!] : []));
  return intervals.length > 0 ? Math.min(...intervals) : undefined;
}

/** One round of the orphan sweep, as lines for the ops channels: one per scratch database dropped. */
export async function orphanSweep(targets: readonly PostgresTarget[], logger: Logger): Promise<string[]> {
  const dropped = await sweepScratchDatabases(targets, logger);
  return dropped.map((name) => `dropped scratch database ${name}, which a restore test left behind`);
}
