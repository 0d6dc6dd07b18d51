import { userText } from './user-text.js';
import { didYouMean } from './did-you-mean.js';
import { UserError } from './errors.js';
import type { TargetRef } from './system.js';

/** How a system's targets are named in refusals, e.g. `{ system: 'Docker', configKey: 'targets.docker[]' }`. */
export interface TargetKind {
  system: string;
  configKey: string;
}

/**
 * The target named `name`, or the only one when no name is given; a `UserError` that lists the configured
 * names (with a did-you-mean) when there is none, several, or no such one.
 */
export function pickTarget<Target extends TargetRef>(targets: readonly Target[], name: string | undefined, kind: TargetKind): Target {
  const names = targets.map((target) => target.name).join(', ');
  if (targets.length === 0) throw new UserError(`No ${kind.system} target is configured.`, `Config: ${kind.configKey} in the bot config.`);
  if (name === undefined || name === '') {
    if (targets.length > 1) throw new UserError(`Several ${kind.system} targets are configured; name one with --target: ${names}.`);
    return targets[0]!;
  }
  const found = targets.find((target) => target.name === name);
  if (!found) {
    throw new UserError(`No ${kind.system} target named "${userText(name)}". ${kind.system} targets: ${names}.${didYouMean(name, targets.map((target) => target.name))}`);
  }
  return found;
}
