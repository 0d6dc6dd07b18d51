import { UserError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/did-you-mean.js';
import { userText } from '../../../core/user-text.js';
import { databaseOfUrl } from '../connection.js';
import type { PostgresTarget } from '../probe.js';

/** A PostgreSQL target and the database a maintenance action works in. */
export interface PostgresPlace {
  target: PostgresTarget;
  database: string;
}

const configHint = 'Config: targets.postgres[] in the bot config.';

/**
 * Picks the target named `name`, or the only configured one when no name is given, and the database
 * (`database`, which must be one of the target's `databases` or the one in its URL; else the URL's).
 * Throws a `UserError` listing the configured names, before anything connects.
 */
export function resolvePostgresPlace(targets: readonly PostgresTarget[], name?: string, database?: string): PostgresPlace {
  const names = targets.map((target) => target.name).join(', ');
  if (targets.length === 0) throw new UserError('No PostgreSQL target is configured.', configHint);
  let target: PostgresTarget | undefined;
  if (name === undefined || name === '') {
    if (targets.length > 1) throw new UserError(`Several PostgreSQL targets are configured; name one with --target: ${names}.`);
    target = targets[0];
  } else {
    target = targets.find((candidate) => candidate.name === name);
    if (!target) throw new UserError(`No PostgreSQL target named ${shown(name)}. PostgreSQL targets: ${names}.${didYouMean(name, targets.map((candidate) => candidate.name))}`, configHint);
  }
  return { target: target!, database: allowedDatabase(target!, database) };
}

/** The databases maintenance may name with --database on a target: its `databases` and the one in its URL. */
export function databasesOf(target: PostgresTarget): string[] {
  return [...new Set([databaseOfUrl(target.url), ...(target.databases ?? [])])];
}

/** `database` when the target allows it (see `databasesOf`), else the URL's when none is given; a `UserError` listing them otherwise. */
export function allowedDatabase(target: PostgresTarget, database: string | undefined): string {
  if (database === undefined || database === '') return databaseOfUrl(target.url);
  const allowed = databasesOf(target);
  if (allowed.includes(database)) return database;
  throw new UserError(
    `Database ${shown(database)} is not one of target ${target.name}'s databases: ${allowed.join(', ')}.${didYouMean(database, allowed)}`,
    'Config: targets.postgres[].databases lists the databases maintenance may work in.',
  );
}

/** The lock a destructive PostgreSQL step holds: one destructive runbook per target at a time. */
export function postgresLockKey(target: Pick<PostgresTarget, 'name'>): string {
  return `postgres:${target.name}`;
}

/** "database app on target main-db", for plans and messages. */
export function describePlace(place: PostgresPlace): string {
  return `database ${place.database} on target ${place.target.name}`;
}

/** User text quoted for a message, as `userText` shows it. */
export function shown(text: string): string {
  return `"${userText(text)}"`;
}
