import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChatAccess } from '../../core/chat.js';
import type { Actor } from '../../core/invocation.js';
import type { SlackGrant } from './settings.js';

interface CachedMembers {
  members: Promise<ReadonlySet<string>>;
  expiresAt: number;
}

/** Settings of the actor resolver. */
export interface SlackActorsOptions {
  client: webApi.WebClient;
  access: ChatAccess<SlackGrant>;
  logger: Logger;
  /** How long a user group's member list is trusted (default 5 minutes). */
  cacheMs?: number;
  now?: () => number;
}

/**
 * Turns a Slack user into a maintbot actor: roles from the user id and from membership of the user groups
 * named in `access.grants` (read with usergroups.users.list, cached a few minutes). A group that cannot be
 * read grants nothing.
 */
export class SlackActors {
  private readonly groupIds: string[];
  private readonly cache = new Map<string, CachedMembers>();

  constructor(private readonly options: SlackActorsOptions) {
    this.groupIds = [...new Set(options.access.grants.flatMap((grant) => grant.groups))];
  }

  async resolve(userId: string, name: string | undefined): Promise<Actor> {
    const groupIds = await this.groupsOf(userId);
    return { id: userId, name: name || userId, roles: this.options.access.rolesOf({ userId, groupIds }) };
  }

  private async groupsOf(userId: string): Promise<string[]> {
    const memberships = await Promise.all(this.groupIds.map(async (groupId) => ((await this.members(groupId)).has(userId) ? groupId : undefined)));
    return memberships.filter((groupId): groupId is string => groupId !== undefined);
  }

  private members(groupId: string): Promise<ReadonlySet<string>> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.cache.get(groupId);
    if (cached && cached.expiresAt > now) return cached.members;
    const members = this.options.client.usergroups.users.list({ usergroup: groupId }).then(
      (answer) => new Set(answer.users ?? []),
      (error: unknown) => {
        this.cache.delete(groupId);
        this.options.logger.warn({ err: error, usergroup: groupId }, 'could not read a Slack user group; it grants no role this time');
        return new Set<string>();
      },
    );
    this.cache.set(groupId, { members, expiresAt: now + (this.options.cacheMs ?? 5 * 60_000) });
    return members;
  }
}
