import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ChatAccess, CommandHandler } from '../../core/chat.js';
import type { Invocation } from '../../core/invocation.js';
import type { CommandCatalog } from '../../router/catalog.js';
import { completionsFor } from './autocomplete.js';
import type { ButtonCommands } from './button-commands.js';
import type { DiscordChatPort } from './chat-port.js';
import { commandLineFor, type GivenOption } from './command-line.js';
import type { EmbedRenderOptions } from './embeds.js';
import { InteractionResponder } from './interaction-responder.js';
import type { InteractionTransport } from './interaction-transport.js';
import { discordHandle } from './message-handle.js';
import { OptionType } from './registration.js';
import type { DiscordGrant } from './settings.js';

/** An option of `/maint` as both transports deliver it: discord.js's `options.data`, the API's `data.options`. */
export interface ReceivedOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: readonly ReceivedOption[];
}

/** Who acted, and where, read from a gateway interaction or an HTTP one. */
export interface InteractionSource {
  userId: string;
  /** The member's nickname, else the user's display name, else the username. */
  userName: string;
  /** The member's guild role ids (none outside a guild). */
  roleIds: readonly string[];
  channelId: string;
  channelName?: string;
  createdAt: Date;
}

/** What answering interactions needs, whichever way they arrive. */
export interface InteractionContext {
  handler: CommandHandler;
  commands: CommandCatalog;
  completions: (kind: string) => string[] | undefined;
  access: ChatAccess<DiscordGrant>;
  logger: Logger;
  buttons: ButtonCommands;
  render: EmbedRenderOptions;
  port: DiscordChatPort;
  /** Responders of commands still running, whose timers a stop cancels. */
  active: Set<InteractionResponder>;
  fallbackDeferMs?: number;
}

/** Runs `/maint <subcommand> …` through the router, answering on `transport`. */
export async function handleCommand(source: InteractionSource, options: readonly ReceivedOption[], transport: InteractionTransport, context: InteractionContext, logger: Logger): Promise<void> {
  const responder = InteractionResponder.forCommand(transport, { render: context.render, port: context.port, logger, fallbackDeferMs: context.fallbackDeferMs });
  const subcommand = subcommandOf(options);
  const name = subcommand.name ?? 'help';
  const given: GivenOption[] = subcommand.options.flatMap((option) => (option.value === undefined ? [] : [{ name: option.name, value: option.value }]));
  const line = commandLineFor(name, given, context.commands.get(name));
  if (!line.ok) {
    await responder.replyPrivately({ kind: 'notice', tone: 'error', text: line.problem });
    await responder.finish();
    return;
  }
  await run(source, line.text, 'typed', undefined, responder, context);
}

/** Runs the command a clicked button carries, as the person who clicked, updating the card it sits on. */
export async function handleButton(source: InteractionSource, customId: string, messageId: string, transport: InteractionTransport, context: InteractionContext, logger: Logger): Promise<void> {
  const command = context.buttons.commandFor(customId);
  const responder = await InteractionResponder.forButton(transport, messageId, { render: context.render, port: context.port, logger });
  if (command === undefined) {
    await responder.replyPrivately({ kind: 'notice', tone: 'error', text: 'This button has expired (the bot restarted since it was posted). Type the command instead.' });
    return;
  }
  await run(source, command, 'button', discordHandle(source.channelId, messageId), responder, context);
}

/** The choices for the option being typed in `/maint <subcommand> …`. */
export function autocompleteChoices(options: readonly ReceivedOption[], context: InteractionContext): Array<{ name: string; value: string }> {
  const subcommand = subcommandOf(options);
  const focused = subcommand.options.find((option) => option.focused);
  if (!focused) return [];
  return completionsFor(subcommand.name ?? '', focused.name, String(focused.value ?? ''), context);
}

/** The subcommand given (inside its group when /maint folds groups) and its options; no name for a bare `/maint`. */
function subcommandOf(options: readonly ReceivedOption[]): { name?: string; options: readonly ReceivedOption[] } {
  const subcommand = [...options, ...options.flatMap((option) => (option.type === OptionType.SubcommandGroup ? (option.options ?? []) : []))].find(
    (option) => option.type === OptionType.Subcommand,
  );
  return subcommand ? { name: subcommand.name, options: subcommand.options ?? [] } : { options };
}

async function run(
  source: InteractionSource,
  text: string,
  origin: Invocation['origin'],
  sourceMessage: Invocation['sourceMessage'],
  responder: InteractionResponder,
  context: InteractionContext,
): Promise<void> {
  const invocation: Invocation = {
    id: randomUUID(),
    platform: 'discord',
    actor: { id: source.userId, name: source.userName, roles: context.access.rolesOf({ userId: source.userId, groupIds: source.roleIds }) },
    channel: { id: source.channelId, ...(source.channelName ? { name: source.channelName } : {}) },
    text,
    origin,
    receivedAt: source.createdAt,
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
