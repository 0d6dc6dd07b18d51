import { z } from 'zod';
import { emptyAsAbsent } from '../../../core/action-inputs.js';
import { didYouMean } from '../../../core/did-you-mean.js';
import { UserError } from '../../../core/errors.js';
import { CONNECT_TIMEOUT_MS, databaseOfMysqlUrl, withMysqlSession, type MysqlSession } from '../connection.js';
import type { MysqlTarget } from '../target.js';

/** `target` and `database` of every MySQL action; empty strings count as not given. */
export const placeInputs = {
  target: z.preprocess(emptyAsAbsent, z.string().min(1).optional()),
  database: z.preprocess(emptyAsAbsent, z.string().min(1).optional()),
};

export { emptyAsAbsent };

const configHint = 'Config: targets.mysql[] in the bot config.';

/** Picks the MySQL target named `name`, or the only configured one; a `UserError` lists the configured names. */
export function resolveMysqlTarget(targets: readonly MysqlTarget[], name?: string): MysqlTarget {
  const names = targets.map((target) => target.name);
  if (targets.length === 0) throw new UserError('No MySQL target is configured.', configHint);
  if (name === undefined) {
    if (targets.length > 1) throw new UserError(`Several MySQL targets are configured; name one with --target: ${names.join(', ')}.`);
    return targets[0]!;
  }
  const target = targets.find((candidate) => candidate.name === name);
  if (!target) throw new UserError(`No MySQL target named ${shown(name)}. MySQL targets: ${names.join(', ')}.${didYouMean(name, names)}`, configHint);
  return target;
}

/** The database an action works in: the one given, else the one in the target's URL. */
export function databaseFor(target: MysqlTarget, database: string | undefined): string | undefined {
  return database ?? databaseOfMysqlUrl(target.url);
}

/** The lock a destructive MySQL step holds: one destructive runbook per target at a time. */
export function mysqlLockKey(target: Pick<MysqlTarget, 'name'>): string {
  return `mysql:${target.name}`;
}

/** Runs `work` on a maintenance connection to the target; a connection failure is a `UserError` naming the masked URL. */
export function withMaintenanceSession<T>(target: MysqlTarget, signal: AbortSignal, work: (session: MysqlSession) => Promise<T>): Promise<T> {
  return withMysqlSession(
    {
      url: target.url,
      programName: 'maintbot',
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      unreachable: (reason) => new UserError(`MySQL target ${target.name} is not reachable: ${reason}.`),
    },
    signal,
    work,
  );
}

/** User text quoted for a message, cut short when long, with control characters visible. */
export function shown(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}
