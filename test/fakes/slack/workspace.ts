import type { FakeSlackOptions, FakeSlackUser } from './types.js';

/** The fake workspace's identity and directory, with every default filled in. */
export interface Workspace {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  botName: string;
  botToken: string | undefined;
  appToken: string | undefined;
  users: Map<string, FakeSlackUser>;
  usergroups: Map<string, string[]>;
  ackTimeoutMs: number;
  waitTimeoutMs: number;
}

/** Fills in the defaults of `options`. */
export function resolveWorkspace(options: FakeSlackOptions): Workspace {
  const users = new Map<string, FakeSlackUser>();
  for (const [id, user] of Object.entries(options.users ?? {})) users.set(id, { ...user, id });
  return {
    teamId: options.teamId ?? 'T0FAKE',
    teamDomain: options.teamDomain ?? 'maint-test',
    appId: options.appId ?? 'A0FAKE',
    botUserId: options.botUserId ?? 'U0BOT',
    botId: options.botId ?? 'B0BOT',
    botName: options.botName ?? 'maintbot',
    botToken: options.botToken,
    appToken: options.appToken,
    users,
    usergroups: new Map(Object.entries(options.usergroups ?? {})),
    ackTimeoutMs: options.ackTimeoutMs ?? 3000,
    waitTimeoutMs: options.waitTimeoutMs ?? 5000,
  };
}
