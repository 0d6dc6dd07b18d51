import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { Logger } from 'pino';
import { CodedError, errorMessage, type ErrorCode } from '../../core/errors.js';
import type { Message } from '../../core/report.js';
import type { ChatPort, MessageHandle } from '../../core/responder.js';
import { FollowUpMemory, syncFollowUps, type FollowUpSender } from '../follow-ups.js';
import { renderDiscordMessage, renderDiscordMessages, type EmbedRenderOptions } from './embeds.js';
import { truncate, withAllowedMentions, type DiscordMessageBody } from './message-body.js';
import { discordHandle, parseDiscordHandle } from './message-handle.js';

const threadAlreadyCreated = 160004;

/**
 * Posts and edits channel messages through the bot's REST client, outside of any interaction:
 * scheduled reports, alerts and approval cards (also after a restart, from a stored handle). A report too
 * long for one message goes on in the message's thread (or the thread it was posted in).
 */
export class DiscordChatPort implements ChatPort {
  readonly platform = 'discord' as const;
  private readonly threads = new Map<string, Promise<string>>();
  /** The follow-ups that carry the rest of split reports (`channelId/messageId` handle ids), by the handle id of their first message. */
  private readonly followUps = new FollowUpMemory<MessageHandle>();

  constructor(
    private readonly rest: REST,
    private readonly render: EmbedRenderOptions,
    private readonly logger: Logger,
  ) {}

  async post(channelId: string, message: Message, options: { thread?: MessageHandle } = {}): Promise<MessageHandle> {
    const target = options.thread ? await this.threadFor(options.thread, message) : channelId;
    const [first, ...rest] = renderDiscordMessages(message, this.render);
    const handle = await this.create(target, first!);
    if (rest.length > 0) {
      const followUpChannel = options.thread ? target : await this.threadOrChannel(handle, message);
      this.followUps.set(handle.id, await syncFollowUps(rest, [], this.sender(followUpChannel)));
    }
    return handle;
  }

  async replyTo(parent: MessageHandle, message: Message): Promise<MessageHandle> {
    const { channelId, messageId } = parseDiscordHandle(parent);
    const body = { ...creationBody(renderDiscordMessage(message, this.render)), message_reference: { message_id: messageId, fail_if_not_exists: false } };
    const created = (await this.call('DISCORD_POST_FAILED', { channelId }, () => this.rest.post(Routes.channelMessages(channelId), { body }))) as { id: string };
    return discordHandle(channelId, created.id);
  }

  async update(handle: MessageHandle, message: Message): Promise<void> {
    const { channelId, messageId } = parseDiscordHandle(handle);
    const [body, ...rest] = renderDiscordMessages(message, this.render);
    await this.call('DISCORD_UPDATE_FAILED', { channelId, messageId }, () => this.rest.patch(Routes.channelMessage(channelId, messageId), { body: withAllowedMentions(body!) }));
    const earlier = this.followUps.get(handle.id);
    if (rest.length === 0 && earlier.length === 0) return;
    const followUpChannel = rest.length > earlier.length ? await this.threadOrChannel(handle, message) : channelId;
    this.followUps.set(handle.id, await syncFollowUps(rest, earlier, this.sender(followUpChannel)));
  }

  fitsOneMessage(message: Message): boolean {
    return renderDiscordMessages(message, this.render).length === 1;
  }

  private async create(channelId: string, body: DiscordMessageBody): Promise<MessageHandle> {
    const created = (await this.call('DISCORD_POST_FAILED', { channelId }, () => this.rest.post(Routes.channelMessages(channelId), { body: creationBody(body) }))) as { id: string };
    return discordHandle(channelId, created.id);
  }

  /** Follow-ups post new messages in `channelId` and edit or delete earlier ones where they are. */
  private sender(channelId: string): FollowUpSender<DiscordMessageBody, MessageHandle> {
    return {
      post: (body) => this.create(channelId, body),
      edit: async (followUp, body) => {
        const ref = parseDiscordHandle(followUp);
        await this.call('DISCORD_UPDATE_FAILED', { ...ref }, () => this.rest.patch(Routes.channelMessage(ref.channelId, ref.messageId), { body: withAllowedMentions(body) }));
      },
      remove: async (followUp) => {
        const ref = parseDiscordHandle(followUp);
        await this.call('DISCORD_UPDATE_FAILED', { ...ref }, () => this.rest.delete(Routes.channelMessage(ref.channelId, ref.messageId)));
      },
    };
  }

  /** The thread on a message, for its follow-ups; the message's own channel when no thread can be started there. */
  private async threadOrChannel(handle: MessageHandle, message: Message): Promise<string> {
    try {
      return await this.threadFor(handle, message);
    } catch {
      return parseDiscordHandle(handle).channelId;
    }
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

/** A body for creating a message: Discord refuses an empty `content` next to nothing else, so it is left out; it pings only whom it names. */
export function creationBody(body: DiscordMessageBody): Partial<DiscordMessageBody> {
  return withAllowedMentions(body.content === '' ? { embeds: body.embeds, components: body.components, ...(body.allowed_mentions ? { allowed_mentions: body.allowed_mentions } : {}) } : body);
}
