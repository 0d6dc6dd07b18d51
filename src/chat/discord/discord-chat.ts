import { once } from 'node:events';
import type { KeyObject } from 'node:crypto';
import { Client, DiscordAPIError, Events, GatewayIntentBits, REST, Routes, Status, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import type { Logger } from 'pino';
import type { ChatAccess, CommandHandler, RunningChat } from '../../core/chat.js';
import { errorMessage } from '../../core/errors.js';
import type { CommandCatalog } from '../../router/catalog.js';
import { ButtonCommands } from './button-commands.js';
import { DiscordChatPort } from './chat-port.js';
import type { EmbedRenderOptions } from './embeds.js';
import { gatewayTransport } from './gateway-transport.js';
import { httpInteractionHandler } from './http-interactions.js';
import { autocompleteChoices, handleButton, handleCommand, type InteractionContext, type InteractionSource } from './interaction-handlers.js';
import type { InteractionResponder } from './interaction-responder.js';
import { interactionsPath, startInteractionsServer } from './interactions-server.js';
import { buildMaintCommand, RegistrationError, type MaintCommandJson } from './registration.js';
import type { DiscordGrant, DiscordSettings } from './settings.js';
import { interactionPublicKey } from './signature.js';

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
  /** HTTP mode: the interface to listen on (default: all). */
  httpHost?: string;
}

/** A connected Discord bot. */
export interface RunningDiscordChat extends RunningChat {
  /** Gateway: true while the connection is up (false while it resumes after a drop); HTTP mode: while the endpoint listens. */
  connected(): boolean;
  /** HTTP mode: the port `/discord/interactions` is bound to. */
  httpPort?: number;
  /** Disconnects (or closes the endpoint) and releases everything, so the process can exit. */
  stop(): Promise<void>;
}

/** Starting the Discord adapter failed; the message is safe to print as it is. */
export class DiscordStartError extends Error {
  override readonly name = 'DiscordStartError';
}

const readyTimeoutMs = 30_000;

/**
 * Starts Discord as `settings.mode` says and registers `/maint` over REST (guild commands for
 * `settings.guilds`, global ones when `settings.global_commands`). `gateway`: logs in and answers slash
 * commands, buttons and autocomplete arriving on the gateway. `http`: no gateway session; serves
 * `/discord/interactions` on `settings.port`, checking Discord's signature with `settings.public_key`, so any
 * number of replicas can answer. Either way posts outside interactions go over REST with the bot token.
 * Resolves once the bot can answer; throws `DiscordStartError` with a clear message otherwise.
 */
export async function startDiscordChat(options: DiscordChatOptions): Promise<RunningDiscordChat> {
  const { settings } = options;
  const logger = options.logger.child({ platform: 'discord' });
  if (!settings.token) throw new DiscordStartError('Discord is enabled but has no bot token: set DISCORD_TOKEN (or chat.discord.token).');
  if (!settings.application_id) {
    throw new DiscordStartError('Discord is enabled but has no application id: set DISCORD_APPLICATION_ID (or chat.discord.application_id).');
  }
  const publicKey = settings.mode === 'http' ? requirePublicKey(settings) : undefined;
  let command: MaintCommandJson;
  try {
    command = buildMaintCommand(options.commands.all(), (kind) => kind === 'commands' || options.completions(kind) !== undefined);
  } catch (error) {
    if (error instanceof RegistrationError) throw new DiscordStartError(error.message);
    throw error;
  }
  const buttons = new ButtonCommands();
  const render: EmbedRenderOptions = { customIdFor: buttons.idFor };
  const parts = { buttons, render, active: new Set<InteractionResponder>(), logger };
  const registration = { applicationId: settings.application_id, command };
  return publicKey ? startHttpMode(options, settings.token, publicKey, parts, registration) : startGatewayMode(options, settings.token, parts, registration);
}

interface SharedParts {
  buttons: ButtonCommands;
  render: EmbedRenderOptions;
  active: Set<InteractionResponder>;
  logger: Logger;
}

interface Registration {
  applicationId: string;
  command: MaintCommandJson;
}

function requirePublicKey(settings: DiscordSettings): KeyObject {
  if (!settings.public_key) {
    throw new DiscordStartError(
      "Discord HTTP mode needs the application's public key: set DISCORD_PUBLIC_KEY (or chat.discord.public_key) to General Information → Public Key, or set chat.discord.mode: gateway.",
    );
  }
  const key = interactionPublicKey(settings.public_key);
  if (!key) throw new DiscordStartError("DISCORD_PUBLIC_KEY is not the application's public key: expected 64 hex characters (General Information → Public Key).");
  return key;
}

async function startGatewayMode(options: DiscordChatOptions, token: string, parts: SharedParts, registration: Registration): Promise<RunningDiscordChat> {
  const { settings } = options;
  const { logger } = parts;
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: settings.api_url ? { api: apiBase(settings.api_url) } : {} });
  const port = new DiscordChatPort(client.rest, parts.render, logger);
  const context: InteractionContext = { ...options, ...parts, port };
  client.on(Events.InteractionCreate, (interaction) => void onGatewayInteraction(interaction, context));
  client.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, 'Discord gateway disconnected'));
  client.on(Events.ShardResume, () => logger.info('Discord gateway resumed'));
  client.on(Events.Error, (error) => logger.error({ err: errorMessage(error) }, 'Discord client error'));

  try {
    await login(client, token);
    await register(client.rest, registration, settings, logger);
  } catch (error) {
    await client.destroy();
    throw error instanceof DiscordStartError ? error : new DiscordStartError(`Discord did not start: ${errorMessage(error)}`);
  }
  logger.info({ mode: 'gateway', guilds: settings.guilds.length, global: settings.global_commands, subcommands: registration.command.options.length }, 'Discord connected, /maint registered');

  return {
    port,
    connected: () => client.isReady() && client.ws.status === Status.Ready,
    stop: async () => {
      for (const responder of parts.active) responder.cancel();
      client.removeAllListeners();
      await client.destroy();
    },
  };
}

async function startHttpMode(options: DiscordChatOptions, token: string, publicKey: KeyObject, parts: SharedParts, registration: Registration): Promise<RunningDiscordChat> {
  const { settings } = options;
  const { logger } = parts;
  const rest = new REST(settings.api_url ? { api: apiBase(settings.api_url) } : {}).setToken(token);
  const release = (): void => {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  };
  const port = new DiscordChatPort(rest, parts.render, logger);
  const context: InteractionContext = { ...options, ...parts, port };
  try {
    await verifyToken(rest, settings);
    await register(rest, registration, settings, logger);
  } catch (error) {
    release();
    throw error instanceof DiscordStartError ? error : new DiscordStartError(`Discord did not start: ${errorMessage(error)}`);
  }
  const server = await startInteractionsServer({ port: settings.port, host: options.httpHost, publicKey, logger, onInteraction: httpInteractionHandler(rest, context) }).catch((error: unknown) => {
    release();
    throw new DiscordStartError(`Discord: cannot listen for interactions on port ${settings.port} (${errorMessage(error)}). Set chat.discord.port.`);
  });
  logger.info({ mode: 'http', port: server.port, path: interactionsPath, guilds: settings.guilds.length, global: settings.global_commands }, 'Discord HTTP interactions listening, /maint registered');
  return {
    port,
    httpPort: server.port,
    connected: () => server.listening(),
    stop: async () => {
      for (const responder of parts.active) responder.cancel();
      await server.close();
      release();
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

/** HTTP mode logs in nowhere: `GET /users/@me` proves the bot token before anything is registered or served. */
async function verifyToken(rest: REST, settings: DiscordSettings): Promise<void> {
  try {
    await rest.get(Routes.user());
  } catch (error) {
    if (error instanceof DiscordAPIError && error.status === 401) throw new DiscordStartError('Discord refused DISCORD_TOKEN (401): copy the bot token from the Developer Portal (Bot → Reset Token).');
    throw new DiscordStartError(`cannot reach the Discord API${settings.api_url ? ` at ${settings.api_url}` : ''}: ${errorMessage(error)}. Check the network${settings.api_url ? ' or DISCORD_API_URL' : ''}.`);
  }
}

async function register(rest: REST, { applicationId, command }: Registration, settings: DiscordSettings, logger: Logger): Promise<void> {
  if (settings.guilds.length === 0 && !settings.global_commands) {
    logger.warn('no chat.discord.guilds and global_commands is off: /maint is not registered anywhere');
  }
  const scopes: Array<{ route: `/${string}`; where: string }> = [...settings.guilds.map((guild) => ({ route: Routes.applicationGuildCommands(applicationId, guild), where: `guild ${guild}` }))];
  if (settings.global_commands) scopes.push({ route: Routes.applicationCommands(applicationId), where: 'globally' });
  for (const scope of scopes) {
    try {
      await rest.put(scope.route, { body: [command] });
    } catch (error) {
      throw new DiscordStartError(
        `could not register /maint ${scope.where}: ${errorMessage(error)}. Check DISCORD_APPLICATION_ID and that the bot was invited with the applications.commands scope.`,
      );
    }
  }
}

async function onGatewayInteraction(interaction: Interaction, context: InteractionContext): Promise<void> {
  const logger = context.logger.child({ interaction: interaction.id, user: interaction.user.id });
  try {
    if (interaction.isChatInputCommand() && interaction.commandName === 'maint') {
      await handleCommand(gatewaySource(interaction), interaction.options.data, gatewayTransport(interaction), context, logger);
    } else if (interaction.isButton()) {
      await handleButton(gatewaySource(interaction), interaction.customId, interaction.message.id, gatewayTransport(interaction), context, logger);
    } else if (interaction.isAutocomplete() && interaction.commandName === 'maint') {
      await interaction.respond(autocompleteChoices(interaction.options.data, context));
    }
  } catch (error) {
    logger.error({ code: 'DISCORD_INTERACTION_FAILED', err: errorMessage(error) }, 'could not answer a Discord interaction');
  }
}

function gatewaySource(interaction: ChatInputCommandInteraction | ButtonInteraction): InteractionSource {
  const member = interaction.member;
  const roleIds = member === null ? [] : Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  const nick = member && 'nick' in member ? member.nick : null;
  const channel = interaction.channel;
  const channelName = channel && 'name' in channel && typeof channel.name === 'string' ? channel.name : undefined;
  return {
    userId: interaction.user.id,
    userName: nick ?? interaction.user.globalName ?? interaction.user.username,
    roleIds,
    channelId: interaction.channelId,
    ...(channelName ? { channelName } : {}),
    createdAt: new Date(interaction.createdTimestamp),
  };
}
