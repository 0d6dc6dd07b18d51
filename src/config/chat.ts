import { z } from 'zod';
import { chatAdapters } from '../chat/index.js';
import type { AnyChatAdapter, ChatAdapter } from '../core/chat.js';
import type { Platform } from '../core/invocation.js';
import type { Mention } from '../core/report.js';

type Adapters = typeof chatAdapters;

/** `chat:` as the adapters shape it: each platform's settings under its name. */
export type ChatSettingsOf<List extends readonly AnyChatAdapter[]> = {
  [Adapter in List[number] as Adapter['platform']]: Adapter extends ChatAdapter<infer Settings, unknown, Platform> ? Settings : never;
};

/** One entry of `access.grants`: a role, and each platform's part naming who gets it. */
export type GrantOf<List extends readonly AnyChatAdapter[]> = { role: string } & {
  [Adapter in List[number] as Adapter['platform']]?: Adapter extends ChatAdapter<unknown, infer Grant, Platform> ? Grant : never;
};

/** Validated `chat:` of the shipped platforms, and `headless`: no chat at all is meant, not a mistake. */
export type ChatSettings = ChatSettingsOf<Adapters> & { headless: boolean };
/** One validated grant of the shipped platforms. */
export type Grant = GrantOf<Adapters>;

/** `chat:` in the config, folded over the adapters; a platform left out gets its defaults. */
export function chatSchemaFor(adapters: readonly AnyChatAdapter[]): z.ZodType<ChatSettings, unknown> {
  const shape = Object.fromEntries(adapters.map((adapter) => [adapter.platform, adapter.settingsSchema.default(adapter.settingsSchema.parse({}))]));
  const headless = z.boolean().default(false).describe('true: a start where no chat runs is meant (schedules and endpoints only)');
  const schema = z.object({ ...shape, headless }).strict();
  return schema.default(schema.parse({})) as unknown as z.ZodType<ChatSettings, unknown>;
}

/** One entry of `access.grants`, folded over the adapters: `role` and an optional part per platform. */
export function grantSchemaFor(adapters: readonly AnyChatAdapter[]): z.ZodType<Grant, unknown> {
  const shape = Object.fromEntries(adapters.map((adapter) => [adapter.platform, adapter.grantSchema.optional()]));
  return z.object({ role: z.string().min(1), ...shape }).strict() as unknown as z.ZodType<Grant, unknown>;
}

/** `approvals.notify` (and a rule's `notify`) as validated: whom a new approval card calls, per platform. */
export type ApprovalNotify = Partial<Record<Platform, Mention[]>>;

/** `approvals.notify`, folded over the adapters that can call people: an optional part per such platform. */
export function notifySchemaFor(adapters: readonly AnyChatAdapter[]): z.ZodType<ApprovalNotify, unknown> {
  const shape = Object.fromEntries(adapters.flatMap((adapter) => (adapter.notifySchema ? [[adapter.platform, adapter.notifySchema.optional()]] : [])));
  return z.object(shape).strict() as unknown as z.ZodType<ApprovalNotify, unknown>;
}

/** `chat:` of the shipped platforms. */
export const chatSchema = chatSchemaFor(chatAdapters);
/** A grant of the shipped platforms. */
export const grantSchema = grantSchemaFor(chatAdapters);
/** `approvals.notify` of the shipped platforms. */
export const notifySchema = notifySchemaFor(chatAdapters);

/** Which platforms start, after `auto` is resolved: a `fallback` platform (the terminal) only when no other is on. */
export type EnabledChats = Record<Platform, boolean>;

/** Resolves `auto` for every platform of a validated config. */
export function enabledChats(config: { chat: ChatSettings }, adapters: readonly AnyChatAdapter[] = chatAdapters): EnabledChats {
  const settings = config.chat as unknown as Record<Platform, unknown>;
  const wanted = adapters.map((adapter) => ({ platform: adapter.platform, enablement: adapter.enabled(settings[adapter.platform]) }));
  const othersOn = wanted.some((entry) => entry.enablement === 'on');
  return Object.fromEntries(wanted.map(({ platform, enablement }) => [platform, enablement === 'on' || (enablement === 'fallback' && !othersOn)])) as EnabledChats;
}

/** True when a chat of this reach is on: over the network (Slack, Discord), or in the process's terminal. */
export function chatOn(chats: EnabledChats, reach: AnyChatAdapter['reach'], adapters: readonly AnyChatAdapter[] = chatAdapters): boolean {
  return adapters.some((adapter) => adapter.reach === reach && chats[adapter.platform]);
}

/**
 * Why no chat would start, naming how to turn each platform on or to declare the start headless; undefined
 * when a chat starts or `chat.headless` is set. Resolves `auto` like `enabledChats`.
 */
export function noChatProblem(config: { chat: ChatSettings }, adapters: readonly AnyChatAdapter[] = chatAdapters): string | undefined {
  if (config.chat.headless) return undefined;
  const chats = enabledChats(config, adapters);
  if (adapters.some((adapter) => chats[adapter.platform])) return undefined;
  const ways = adapters.map((adapter) => adapter.howToEnable).filter((way): way is string => way !== undefined);
  return `no chat would start. Turn one on: ${ways.join('; ')}. Or set chat.headless: true to run only the schedules and the endpoints`;
}
