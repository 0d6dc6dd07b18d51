import { UserError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/did-you-mean.js';
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
 * (`database`, else the one in the target's URL). Throws a `UserError` listing the configured names.
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
  return { target: target!, database: database || databaseOfUrl(target!.url) };
}

/** The lock a destructive PostgreSQL step holds: one destructive runbook per target at a time. */
export function postgresLockKey(target: Pick<PostgresTarget, 'name'>): string {
  return `postgres:${target.name}`;
}

/** "database app on target main-db", for plans and messages. */
export function describePlace(place: PostgresPlace): string {
  return `database ${place.database} on target ${place.target.name}`;
}

/** User text quoted for a message, cut short when long. */
export function shown(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
