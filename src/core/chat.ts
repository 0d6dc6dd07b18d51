import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CommandCatalog } from '../router/catalog.js';
import type { HomeSource } from './home.js';
import type { Invocation, Platform } from './invocation.js';
import type { Mention } from './report.js';
import type { ChatPort, Responder } from './responder.js';

/** Where every command from a chat platform goes: the router. */
export interface CommandHandler {
  handle(invocation: Invocation, responder: Responder): Promise<unknown>;
}

/** A person as a chat platform knows them, before roles are resolved: their id and their groups' or roles' ids. */
export interface PlatformIdentity {
  userId: string;
  /** Slack user-group ids or Discord role ids. */
  groupIds?: readonly string[];
}

/** What `access.grants` says about one platform: its part of every grant, and the roles an identity gets. */
export interface ChatAccess<Grant> {
  /** The grants' parts for this platform (`access.grants[].<platform>`), where a grant has one. */
  grants: readonly Grant[];
  /** The maintbot roles of an identity: the default role, `extra` (roles everyone on the platform has), every grant that names it. */
  rolesOf(identity: PlatformIdentity, extra?: readonly string[]): string[];
}

/** The process's own terminal, for the terminal chat. */
export interface Terminal {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** A person types at it: show a prompt. */
  interactive: boolean;
  colour: boolean;
}

/** What a chat platform is started with. */
export interface ChatStartContext<Settings, Grant> {
  settings: Settings;
  access: ChatAccess<Grant>;
  handler: CommandHandler;
  /** The commands of `commands/*.yaml`, for platforms that register them up front (Discord's `/maint`). */
  commands: CommandCatalog;
  /** The names offered for an argument's `complete:` kind (`postgres` → PostgreSQL targets); undefined for a kind nothing answers. */
  completions(kind: string): string[] | undefined;
  terminal: Terminal;
  logger: Logger;
  /** Each person's home page, for platforms that have one (Slack's App Home). */
  home?: HomeSource;
}

/** A started chat platform. */
export interface RunningChat {
  /** Posts and updates outside of a command's own reply; the bot connects it to the outbound registry. */
  readonly port: ChatPort;
  /** True while the connection to the platform is up (readiness and metrics read it). */
  connected(): boolean;
  /** The terminal chat: reads and answers commands until the person quits or the input ends. */
  converse?(): Promise<void>;
  /** Disconnects; afterwards nothing of the platform keeps the process alive. */
  stop(): Promise<void>;
}

/** Whether a platform starts: `on`, `off`, or `fallback` — on only when no other platform is. */
export type ChatEnablement = 'on' | 'off' | 'fallback';

/**
 * Everything maintbot knows about one chat platform, in one folder under `src/chat/<platform>/`: its
 * settings (`chat.<platform>` in the config), its part of a grant (`access.grants[].<platform>`), the
 * environment variables it reads directly, the log paths that hold its secrets, how a grant matches a
 * person, whom an approval card may notify there (`approvals.notify.<platform>`), and how it starts. The list in `src/chat/index.ts` is folded into the config schema, the
 * environment, log redaction, roles, schedule channels, start-up and readiness. `start` loads the
 * platform's library with a dynamic `import()`, so a bot without that platform never loads it.
 *
 * @example
 * export const mattermostChat = defineChat({
 *   platform: 'mattermost', reach: 'network',
 *   settingsSchema: z.object({ enabled: z.enum(['auto', 'on', 'off']).default('auto'), token: secret }).strict(),
 *   grantSchema: z.object({ users: z.array(z.string()).default([]) }).strict(),
 *   notifySchema: z.object({ users: z.array(z.string()).default([]) }).strict().transform((notify) => mentionsOf([], notify.users)),
 *   environment: { MATTERMOST_TOKEN: 'token' },
 *   redactPaths: ['config.chat.mattermost.token'],
 *   enabled: (settings) => (settings.enabled === 'auto' ? (settings.token ? 'on' : 'off') : settings.enabled),
 *   grants: (grant, identity) => grant.users.includes(identity.userId),
 *   start: async (context) => (await import('./mattermost-chat.js')).startMattermostChat(context),
 * });
 */
export interface ChatAdapter<Settings = unknown, Grant = unknown, Name extends Platform = Platform> {
  readonly platform: Name;
  /** `network`: a connection to a chat service (readiness, metrics, `auto` observability); `terminal`: this process's own terminal. */
  readonly reach: 'network' | 'terminal';
  /** Validates `chat.<platform>`; every key has a default, unknown keys are errors. */
  readonly settingsSchema: z.ZodType<Settings, unknown>;
  /** Validates `access.grants[].<platform>`. */
  readonly grantSchema: z.ZodType<Grant, unknown>;
  /**
   * Validates `approvals.notify.<platform>` (and `approvals.rules.<runbook>.notify.<platform>`): whom a new
   * approval card calls, as this platform names people and groups. Absent where nobody can be called (the terminal).
   */
  readonly notifySchema?: z.ZodType<Mention[], unknown>;
  /** Variables read directly (no `${NAME}` in the file), each filling the setting it names when the file leaves it empty. */
  readonly environment: Readonly<Record<string, keyof Settings & string>>;
  /** Log record paths whose values are this platform's secrets (pino redaction syntax). */
  readonly redactPaths: readonly string[];
  /** Whether the platform starts with these settings (`auto` resolved). */
  enabled(settings: Settings): ChatEnablement;
  /** How a person turns this platform on, for the refusal of a start where no chat would run. */
  readonly howToEnable?: string;
  /** True when one grant's part for this platform names the person or one of their groups. */
  grants(grant: Grant, identity: PlatformIdentity): boolean;
  /** Connects (or opens the terminal chat); throws a `UserError` with a message to print when it cannot. */
  start(context: ChatStartContext<Settings, Grant>): Promise<RunningChat>;
}

/** Mentions of groups (Slack user groups, Discord roles) and users, in that order. */
export function mentionsOf(groupIds: readonly string[], userIds: readonly string[]): Mention[] {
  return [...groupIds.map((id) => ({ kind: 'group' as const, id })), ...userIds.map((id) => ({ kind: 'user' as const, id }))];
}

/** A chat adapter of any settings type, for lists of adapters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyChatAdapter = ChatAdapter<any, any, Platform>;

/** Declares a chat adapter, keeping its platform name as a literal type for the config's typing. */
export function defineChat<Settings, Grant, const Name extends Platform>(adapter: ChatAdapter<Settings, Grant, Name>): ChatAdapter<Settings, Grant, Name> {
  return adapter;
}
