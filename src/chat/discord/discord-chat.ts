import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import {
  Client,
  Events,
  GatewayIntentBits,
  Routes,
  Status,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { ChatAccess, CommandHandler, RunningChat } from '../../core/chat.js';
import { errorMessage } from '../../core/errors.js';
import type { Actor, Invocation } from '../../core/invocation.js';
import type { CommandCatalog } from '../../router/catalog.js';
import { completionsFor } from './autocomplete.js';
import { ButtonCommands } from './button-commands.js';
import { DiscordChatPort } from './chat-port.js';
import { commandLineFor, type GivenOption } from './command-line.js';
import type { EmbedRenderOptions } from './embeds.js';
import { InteractionResponder } from './interaction-responder.js';
import { discordHandle } from './message-handle.js';
import { buildMaintCommand, OptionType, RegistrationError, type MaintCommandJson } from './registration.js';
import type { DiscordGrant, DiscordSettings } from './settings.js';

/** What the Discord adapter needs from the composition root. */
export interface DiscordChatOptions {
  handler: CommandHandler;
  commands: CommandCatalog;
  /** The names autocomplete offers for an option's `complete:` kind; undefined for a kind nothing answers. */
  completions: (kind: string) => string[] | undefined;
  settings: DiscordSettings;
  access: ChatAccess<DiscordGrant>;
  logger: Logger;
  /** How long a slash command may stay silent before it is deferred privately (default 1000 ms; Discord allows 3 s). */
  fallbackDeferMs?: number;
}

/** A connected Discord bot. */
export interface RunningDiscordChat extends RunningChat {
  /** True while the gateway connection is up (false while it resumes after a drop). */
  connected(): boolean;
  /** Disconnects and releases everything, so the process can exit. */
  stop(): Promise<void>;
}

/** Starting the Discord adapter failed; the message is safe to print as it is. */
export class DiscordStartError extends Error {
  override readonly name = 'DiscordStartError';
}

const readyTimeoutMs = 30_000;

/**
 * Logs in to Discord, registers `/maint` (guild commands for `settings.guilds`, global ones when
 * `settings.global_commands`) and answers slash commands, buttons and autocomplete through `handler`.
 * Resolves once the bot is ready; throws `DiscordStartError` with a clear message otherwise.
 */
export async function startDiscordChat(options: DiscordChatOptions): Promise<RunningDiscordChat> {
  const { settings } = options;
  const logger = options.logger.child({ platform: 'discord' });
  if (!settings.token) throw new DiscordStartError('Discord is enabled but has no bot token: set DISCORD_TOKEN (or chat.discord.token).');
  if (!settings.application_id) {
    throw new DiscordStartError('Discord is enabled but has no application id: set DISCORD_APPLICATION_ID (or chat.discord.application_id).');
  }
  let command: MaintCommandJson;
  try {
    command = buildMaintCommand(options.commands.all(), (kind) => kind === 'commands' || options.completions(kind) !== undefined);
  } catch (error) {
    if (error instanceof RegistrationError) throw new DiscordStartError(error.message);
    throw error;
  }

  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: settings.api_url ? { api: apiBase(settings.api_url) } : {} });
  const buttons = new ButtonCommands();
  const render: EmbedRenderOptions = { customIdFor: buttons.idFor };
  const port = new DiscordChatPort(client.rest, render, logger);
  const active = new Set<InteractionResponder>();
  const context: InteractionContext = { ...options, logger, buttons, render, port, active };
  client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction, context));
  client.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, 'Discord gateway disconnected'));
  client.on(Events.ShardResume, () => logger.info('Discord gateway resumed'));
  client.on(Events.Error, (error) => logger.error({ err: errorMessage(error) }, 'Discord client error'));

  try {
    await login(client, settings.token);
    await register(client, settings.application_id, settings, command, logger);
  } catch (error) {
    await client.destroy();
    throw error instanceof DiscordStartError ? error : new DiscordStartError(`Discord did not start: ${errorMessage(error)}`);
  }
  logger.info({ guilds: settings.guilds.length, global: settings.global_commands, subcommands: command.options.length }, 'Discord connected, /maint registered');

  return {
    port,
    connected: () => client.isReady() && client.ws.status === Status.Ready,
    stop: async () => {
      for (const responder of active) responder.cancel();
      client.removeAllListeners();
      await client.destroy();
    },
  };
}

function apiBase(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v\d+$/, '');
}

async function login(client: Client, token: string): Promise<void> {
  const ready = once(client, Events.ClientReady, { signal: AbortSignal.timeout(readyTimeoutMs) });
  ready.catch(() => undefined);
  try {
    await client.login(token);
  } catch (error) {
    throw new DiscordStartError(`could not log in to Discord: ${errorMessage(error)}. Check DISCORD_TOKEN${client.options.rest?.api ? ` and DISCORD_API_URL` : ''}.`);
  }
  try {
    await ready;
  } catch {
    throw new DiscordStartError(`Discord did not report ready within ${readyTimeoutMs / 1000} s after login.`);
  }
}

async function register(client: Client, applicationId: string, settings: DiscordSettings, command: MaintCommandJson, logger: Logger): Promise<void> {
  if (settings.guilds.length === 0 && !settings.global_commands) {
    logger.warn('no chat.discord.guilds and global_commands is off: /maint is not registered anywhere');
  }
  const scopes: Array<{ route: `/${string}`; where: string }> = [...settings.guilds.map((guild) => ({ route: Routes.applicationGuildCommands(applicationId, guild), where: `guild ${guild}` }))];
  if (settings.global_commands) scopes.push({ route: Routes.applicationCommands(applicationId), where: 'globally' });
  for (const scope of scopes) {
    try {
      await client.rest.put(scope.route, { body: [command] });
    } catch (error) {
      throw new DiscordStartError(
        `could not register /maint ${scope.where}: ${errorMessage(error)}. Check DISCORD_APPLICATION_ID and that the bot was invited with the applications.commands scope.`,
      );
    }
  }
}

interface InteractionContext extends DiscordChatOptions {
  buttons: ButtonCommands;
  render: EmbedRenderOptions;
  port: DiscordChatPort;
  active: Set<InteractionResponder>;
}

async function onInteraction(interaction: Interaction, context: InteractionContext): Promise<void> {
  const logger = context.logger.child({ interaction: interaction.id, user: interaction.user.id });
  try {
    if (interaction.isChatInputCommand() && interaction.commandName === 'maint') await onCommand(interaction, context, logger);
    else if (interaction.isButton()) await onButton(interaction, context, logger);
    else if (interaction.isAutocomplete() && interaction.commandName === 'maint') await onAutocomplete(interaction, context);
  } catch (error) {
    logger.error({ code: 'DISCORD_INTERACTION_FAILED', err: errorMessage(error) }, 'could not answer a Discord interaction');
  }
}

async function onCommand(interaction: ChatInputCommandInteraction, context: InteractionContext, logger: Logger): Promise<void> {
  const responder = InteractionResponder.forCommand(interaction, { render: context.render, port: context.port, logger, fallbackDeferMs: context.fallbackDeferMs });
  const top = interaction.options.data;
  const subcommand = [...top, ...top.flatMap((option) => (option.type === OptionType.SubcommandGroup ? (option.options ?? []) : []))].find(
    (option) => option.type === OptionType.Subcommand,
  );
  const name = subcommand?.name ?? 'help';
  const given: GivenOption[] = (subcommand?.options ?? []).flatMap((option) => (option.value === undefined ? [] : [{ name: option.name, value: option.value }]));
  const line = commandLineFor(name, given, context.commands.get(name));
  if (!line.ok) {
    await responder.replyPrivately({ kind: 'notice', tone: 'error', text: line.problem });
    await responder.finish();
    return;
  }
  await run(interaction, line.text, 'typed', undefined, responder, context);
}

async function onButton(interaction: ButtonInteraction, context: InteractionContext, logger: Logger): Promise<void> {
  const command = context.buttons.commandFor(interaction.customId);
  const responder = await InteractionResponder.forButton(interaction, { render: context.render, port: context.port, logger });
  if (command === undefined) {
    await responder.replyPrivately({ kind: 'notice', tone: 'error', text: 'This button has expired (the bot restarted since it was posted). Type the command instead.' });
    return;
  }
  await run(interaction, command, 'button', discordHandle(interaction.channelId, interaction.message.id), responder, context);
}

async function run(
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  text: string,
  origin: Invocation['origin'],
  sourceMessage: Invocation['sourceMessage'],
  responder: InteractionResponder,
  context: InteractionContext,
): Promise<void> {
  const invocation: Invocation = {
    id: randomUUID(),
    platform: 'discord',
    actor: actorOf(interaction, context.access),
    channel: { id: interaction.channelId, ...(channelName(interaction) ? { name: channelName(interaction) } : {}) },
    text,
    origin,
    receivedAt: new Date(interaction.createdTimestamp),
  };
  if (sourceMessage) invocation.sourceMessage = sourceMessage;
  context.active.add(responder);
  try {
    await context.handler.handle(invocation, responder);
    await responder.finish();
  } finally {
    responder.cancel();
    context.active.delete(responder);
  }
}

function actorOf(interaction: ChatInputCommandInteraction | ButtonInteraction, access: ChatAccess<DiscordGrant>): Actor {
  const member = interaction.member;
  const roleIds = member === null ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  const nick = member && 'nick' in member ? member.nick : null;
  return {
    id: interaction.user.id,
    name: nick ?? interaction.user.globalName ?? interaction.user.username,
    roles: access.rolesOf({ userId: interaction.user.id, groupIds: roleIds }),
  };
}

function channelName(interaction: ChatInputCommandInteraction | ButtonInteraction): string | undefined {
  const channel = interaction.channel;
  return channel && 'name' in channel && typeof channel.name === 'string' ? channel.name : undefined;
}

async function onAutocomplete(interaction: AutocompleteInteraction, context: InteractionContext): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const subcommand = interaction.options.getSubcommand(false) ?? '';
  await interaction.respond(completionsFor(subcommand, focused.name, String(focused.value), context));
}
