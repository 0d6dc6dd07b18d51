import type { Config } from '../config/schema.js';

/** A platform identity as the adapter knows it: the user id and the ids of their groups or roles. */
export interface PlatformIdentity {
  platform: 'slack' | 'discord' | 'console';
  userId: string;
  /** Slack user-group ids or Discord role ids. */
  groupIds?: readonly string[];
}

/**
 * The maintbot roles of an identity: every grant that names the user or one of their groups, plus
 * the default role everyone has.
 */
export function rolesFor(identity: PlatformIdentity, access: Config['access'], extra: readonly string[] = []): string[] {
  const roles = new Set<string>([access.default_role, ...extra]);
  const groups = new Set(identity.groupIds ?? []);
  for (const grant of access.grants) {
    const matches =
      identity.platform === 'slack'
        ? grant.slack !== undefined && (grant.slack.users.includes(identity.userId) || grant.slack.groups.some((group) => groups.has(group)))
        : identity.platform === 'discord'
          ? grant.discord !== undefined && (grant.discord.users.includes(identity.userId) || grant.discord.roles.some((role) => groups.has(role)))
          : grant.console !== undefined && grant.console.users.includes(identity.userId);
    if (matches) roles.add(grant.role);
  }
  return [...roles];
}
