import { randomBytes } from 'node:crypto';
import { channelJson, memberJson } from './fixtures.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { FakeChannel, FakeGuild, FakeMember, FakeMessage, FakeUser, JsonObject, JsonValue } from './types.js';

/** Interaction types (Discord's numbering). */
export const InteractionKind = { ChatCommand: 2, Component: 3, Autocomplete: 4 } as const;

const OptionType = { Subcommand: 1, SubcommandGroup: 2, String: 3, Integer: 4, Boolean: 5, Number: 10 } as const;
const BOT_APP_PERMISSIONS = ((1n << 53n) - 1n).toString();

/** Who acts, and where; defaults: the fixture's first member, its roles, first guild, first channel. */
export interface InteractionActor {
  /** A member's user id (its fixture roles come along), or a user object for a non-member. */
  user?: string | FakeUser;
  /** Overrides the member's role ids. */
  roles?: string[];
  guild_id?: string;
  channel_id?: string;
  locale?: string;
}

/** A value of a typed slash-command option. */
export type OptionValue = string | number | boolean;

/** An option exactly as it appears in `data.options`, for cases the shorthand cannot express. */
export interface RawCommandOption {
  name: string;
  type: number;
  value?: OptionValue;
  focused?: boolean;
  options?: RawCommandOption[];
}

/** A slash command invocation: `/name subcommand option:value …`. */
export interface ChatCommandInput extends InteractionActor {
  /** Default `maint`. */
  name?: string;
  subcommand?: string;
  /** The subcommand group the subcommand is in, when /maint folds groups (more than 25 commands). */
  group?: string;
  /** `{ target: 'api', full: true }` infers types (string 3, integer 4, number 10, boolean 5). */
  options?: Record<string, OptionValue> | RawCommandOption[];
}

/** An autocomplete request while the user types `focused` (partial text `value`). */
export interface AutocompleteInput extends ChatCommandInput {
  focused: string;
  value: string;
}

/** A button click. */
export interface ButtonInput extends InteractionActor {
  custom_id: string;
  /** A message id known to the fake or a message object; default: newest message with this custom_id. */
  message?: string | FakeMessage;
}

/** An interaction the fake dispatched, with what is needed to follow its responses. */
export interface SentInteraction {
  id: string;
  token: string;
  application_id: string;
  type: number;
  payload: JsonObject;
}

/** What the fake remembers about a dispatched interaction to answer its callbacks. */
export interface InteractionRecord {
  id: string;
  token: string;
  type: number;
  channelId: string;
  guildId: string;
  componentMessageId?: string;
  callbackType?: number;
  originalMessageId?: string;
  /** Sent over HTTP: settles once the bot's answer (the initial response) has been applied. */
  answered?: Promise<void>;
}

/** Everything the payload builders need from the fake. */
export interface InteractionContext {
  applicationId: string;
  guilds: readonly FakeGuild[];
  ids: SnowflakeGenerator;
  commandId: (name: string, guildId: string) => string;
  channel: (channelId: string) => FakeChannel | undefined;
}

function optionType(value: OptionValue): number {
  if (typeof value === 'string') return OptionType.String;
  if (typeof value === 'boolean') return OptionType.Boolean;
  return Number.isInteger(value) ? OptionType.Integer : OptionType.Number;
}

function toRawOptions(options: ChatCommandInput['options']): RawCommandOption[] {
  if (options === undefined) return [];
  if (Array.isArray(options)) return options;
  return Object.entries(options).map(([name, value]) => ({ name, type: optionType(value), value }));
}

function rawOptionJson(option: RawCommandOption): JsonObject {
  const json: JsonObject = { name: option.name, type: option.type };
  if (option.value !== undefined) json.value = option.value;
  if (option.focused) json.focused = true;
  if (option.options) json.options = option.options.map(rawOptionJson);
  return json;
}

function resolveActor(context: InteractionContext, actor: InteractionActor): {
  guild: FakeGuild;
  member: FakeMember;
  channel: FakeChannel;
} {
  const guild = actor.guild_id
    ? context.guilds.find((g) => g.id === actor.guild_id)
    : context.guilds[0];
  if (!guild) throw new Error(`fake Discord: no guild ${actor.guild_id ?? '(none configured)'}`);
  const { user } = actor;
  const userId = typeof user === 'object' ? user.id : user;
  const member =
    userId === undefined
      ? guild.members[0]
      : (guild.members.find((m) => m.user.id === userId) ??
        (typeof user === 'object' ? { user, roles: [] } : undefined));
  if (!member) throw new Error(`fake Discord: user ${String(actor.user)} is not a member of guild ${guild.id}`);
  const channelId = actor.channel_id ?? guild.channels[0]?.id;
  if (channelId === undefined) throw new Error(`fake Discord: guild ${guild.id} has no channel`);
  const channel = context.channel(channelId) ?? { id: channelId, name: `channel-${channelId}` };
  return { guild, member: { user: member.user, roles: actor.roles ?? member.roles }, channel };
}

function baseInteraction(context: InteractionContext, type: number, actor: InteractionActor): JsonObject {
  const { guild, member, channel } = resolveActor(context, actor);
  const id = context.ids.next();
  return {
    id,
    application_id: context.applicationId,
    type,
    token: `fake-interaction.${id}.${randomBytes(24).toString('base64url')}`,
    version: 1,
    guild_id: guild.id,
    guild: { id: guild.id, locale: 'en-US', features: [] },
    guild_locale: 'en-US',
    channel_id: channel.id,
    channel: channelJson(guild.id, channel),
    member: memberJson(guild, member, true),
    app_permissions: BOT_APP_PERMISSIONS,
    locale: actor.locale ?? 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': guild.id },
    context: 0,
    attachment_size_limit: 10_485_760,
  };
}

function commandData(context: InteractionContext, input: ChatCommandInput, options: RawCommandOption[]): JsonObject {
  const name = input.name ?? 'maint';
  const guildId = input.guild_id ?? context.guilds[0]?.id ?? '';
  const subcommandJson = input.subcommand ? [{ name: input.subcommand, type: OptionType.Subcommand, options: options.map(rawOptionJson) }] : undefined;
  const optionsJson = subcommandJson && input.group ? [{ name: input.group, type: OptionType.SubcommandGroup, options: subcommandJson }] : (subcommandJson ?? options.map(rawOptionJson));
  return { id: context.commandId(name, guildId), name, type: 1, guild_id: guildId, options: optionsJson };
}

/** INTERACTION_CREATE data for a slash command. */
export function chatCommandPayload(context: InteractionContext, input: ChatCommandInput): JsonObject {
  const payload = baseInteraction(context, InteractionKind.ChatCommand, input);
  payload.data = commandData(context, input, toRawOptions(input.options));
  return payload;
}

/** INTERACTION_CREATE data for an autocomplete request; the focused option is a string option. */
export function autocompletePayload(context: InteractionContext, input: AutocompleteInput): JsonObject {
  const payload = baseInteraction(context, InteractionKind.Autocomplete, input);
  const others = toRawOptions(input.options).filter((option) => option.name !== input.focused);
  const focused: RawCommandOption = { name: input.focused, type: OptionType.String, value: input.value, focused: true };
  payload.data = commandData(context, input, [...others, focused]);
  return payload;
}

/** INTERACTION_CREATE data for a button click on `message`. */
export function buttonPayload(context: InteractionContext, input: ButtonInput, message: FakeMessage): JsonObject {
  const payload = baseInteraction(context, InteractionKind.Component, {
    ...input,
    channel_id: input.channel_id ?? message.channel_id,
  });
  payload.data = { custom_id: input.custom_id, component_type: 2 };
  payload.message = message as unknown as JsonValue;
  return payload;
}
