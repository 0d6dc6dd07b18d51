import type { ChatAccess, ChatAdapter, PlatformIdentity } from '../core/chat.js';
import type { Platform } from '../core/invocation.js';
import type { Config } from '../config/schema.js';

/**
 * What `access:` says about one platform: its part of every grant, and the roles of an identity there —
 * the default role, `extra`, then every grant whose part for this platform names the user or a group.
 */
export function accessFor<Grant>(adapter: Pick<ChatAdapter<unknown, Grant, Platform>, 'platform' | 'grants'>, access: Config['access']): ChatAccess<Grant> {
  const grants = access.grants.flatMap((grant) => {
    const part = (grant as unknown as Record<string, Grant | undefined>)[adapter.platform];
    return part === undefined ? [] : [{ role: grant.role, part }];
  });
  return {
    grants: grants.map((grant) => grant.part),
    rolesOf: (identity: PlatformIdentity, extra: readonly string[] = []) => {
      const roles = new Set<string>([access.default_role, ...extra]);
      for (const grant of grants) if (adapter.grants(grant.part, identity)) roles.add(grant.role);
      return [...roles];
    },
  };
}

