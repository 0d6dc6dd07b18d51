import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import { CodedError, errorMessage, type ErrorCode } from '../../core/errors.js';
import type { Message } from '../../core/report.js';
import type { ChatPort, MessageHandle } from '../../core/responder.js';
import { renderDiscordMessage, type EmbedRenderOptions } from './embeds.js';
import { truncate, type DiscordMessageBody } from './message-body.js';
import { discordHandle, parseDiscordHandle } from './message-handle.js';

const threadAlreadyCreated = 160004;

/**
 * Posts and edits channel messages through the bot's REST client, outside of any interaction:
 * scheduled reports, alerts and approval cards (also after a restart, from a stored handle).
 */
export class DiscordChatPort implements ChatPort {
  readonly platform = 'discord' as const;
  private readonly threads = new Map<string, Promise<string>>();

  constructor(
    private readonly rest: REST,
    private readonly render: EmbedRenderOptions,
    private readonly logger: Logger,
  ) {}

  async post(channelId: string, message: Message, options: { thread?: MessageHandle } = {}): Promise<MessageHandle> {
    const target = options.thread ? await this.threadFor(options.thread, message) : channelId;
    const body = creationBody(renderDiscordMessage(message, this.render));
    const created = (await this.call('DISCORD_POST_FAILED', { channelId: target }, () => this.rest.post(Routes.channelMessages(target), { body }))) as { id: string };
    return discordHandle(target, created.id);
  }

  async replyTo(parent: MessageHandle, message: Message): Promise<MessageHandle> {
    const { channelId, messageId } = parseDiscordHandle(parent);
    const body = { ...creationBody(renderDiscordMessage(message, this.render)), message_reference: { message_id: messageId, fail_if_not_exists: false } };
    const created = (await this.call('DISCORD_POST_FAILED', { channelId }, () => this.rest.post(Routes.channelMessages(channelId), { body }))) as { id: string };
    return discordHandle(channelId, created.id);
  }

  async update(handle: MessageHandle, message: Message): Promise<void> {
    const { channelId, messageId } = parseDiscordHandle(handle);
    const body = renderDiscordMessage(message, this.render);
    await this.call('DISCORD_UPDATE_FAILED', { channelId, messageId }, () => this.rest.patch(Routes.channelMessage(channelId, messageId), { body }));
  }

  private threadFor(parent: MessageHandle, first: Message): Promise<string> {
    const { channelId, messageId } = parseDiscordHandle(parent);
    const known = this.threads.get(messageId);
    if (known) return known;
    const name = truncate(first.kind === 'report' ? first.title : first.text.split('\n')[0]!, 100) || 'maintbot';
    const created = this.rest
      .post(Routes.threads(channelId, messageId), { body: { name, auto_archive_duration: 1440 } })
      .then((thread) => (thread as { id: string }).id)
      .catch((error: unknown) => {
        if (error instanceof DiscordAPIError && error.code === threadAlreadyCreated) return messageId;
        this.threads.delete(messageId);
        this.logger.error({ code: 'DISCORD_THREAD_FAILED', channelId, messageId, err: errorMessage(error) }, 'could not start a thread');
        throw new CodedError('DISCORD_THREAD_FAILED', `could not start a thread on message ${messageId}: ${errorMessage(error)}`, { channelId, messageId }, { cause: error });
      });
    this.threads.set(messageId, created);
    return created;
  }

  private async call(code: ErrorCode, context: Record<string, unknown>, request: () => Promise<unknown>): Promise<unknown> {
    try {
      return await request();
    } catch (error) {
      this.logger.error({ code, ...context, err: errorMessage(error) }, 'Discord request failed');
      throw new CodedError(code, `Discord refused the request: ${errorMessage(error)}`, context, { cause: error });
    }
  }
}

/** A body for creating a message: Discord refuses an empty `content` next to nothing else, so it is left out. */
export function creationBody(body: DiscordMessageBody): Partial<DiscordMessageBody> {
  return body.content === '' ? { embeds: body.embeds, components: body.components } : body;
}
