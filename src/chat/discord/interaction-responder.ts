import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import type { Message } from '../../core/report.js';
import type { MessageHandle, Responder } from '../../core/responder.js';
import { FollowUpMemory, syncFollowUps, type FollowUpSender } from '../follow-ups.js';
import type { DiscordChatPort } from './chat-port.js';
import { renderDiscordMessages, type EmbedRenderOptions } from './embeds.js';
import type { InteractionTransport } from './interaction-transport.js';
import type { DiscordMessageBody } from './message-body.js';
import { discordHandle, parseDiscordHandle } from './message-handle.js';

/** What an interaction responder needs besides the interaction's transport. */
export interface InteractionResponderOptions {
  render: EmbedRenderOptions;
  port: DiscordChatPort;
  logger: Logger;
  /** Defer a slash command when nothing was sent this long after it arrived; Discord's limit is 3 s. */
  fallbackDeferMs?: number;
}

/**
 * Where the interaction's first response stands: nothing sent; deferred privately by the fallback (the
 * requester alone sees "thinking…"); deferred publicly on the way to the first public answer; answered.
 */
type Acknowledgement = 'none' | 'deferred-privately' | 'thinking' | 'done';

/** What the private "thinking…" says for the moment between a slow check and the run's public message. */
const startedInChannel = 'Started; it goes on in the channel.';
const nothingToShow = 'Done; the command had nothing to show.';

/** Interaction tokens last 15 minutes; after that an edit goes through the channel instead. */
const tokenLifetimeMs = 14 * 60_000;

/**
 * Answers one interaction within Discord's 3 s, over either transport (gateway or HTTP). A slash command: the first private output is an
 * ephemeral reply; the first public output defers and then edits the original reply. When nothing was sent
 * within `fallbackDeferMs` (a slow check before a runbook starts), it defers privately, so that a refusal
 * found later still reaches the requester alone (by editing that private reply); a public output after
 * it resolves the private reply first (Discord would otherwise make the first follow-up private too),
 * is posted as a follow-up, and the private reply is removed. A button: acknowledged at once with a
 * deferred update, so the first public output replaces the clicked card. Later private outputs are
 * ephemeral follow-ups; updates edit in place. A report too long for one message goes on in follow-ups
 * (ephemeral ones for a private report).
 */
export class InteractionResponder implements Responder {
  private acknowledgement: Acknowledgement = 'none';
  private originalTaken = false;
  private originalHandle: MessageHandle | undefined;
  private readonly followUps = new Set<string>();
  /** The follow-ups that carry the rest of split reports, by the handle id of their first message. */
  private readonly continuations = new FollowUpMemory<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private fallback: NodeJS.Timeout | undefined;

  private constructor(
    private readonly interaction: InteractionTransport,
    private readonly options: InteractionResponderOptions,
  ) {}

  /** A responder for a slash command; starts the fallback deferral timer. */
  static forCommand(interaction: InteractionTransport, options: InteractionResponderOptions): InteractionResponder {
    const responder = new InteractionResponder(interaction, options);
    responder.fallback = setTimeout(() => void responder.deferIfSilent(), options.fallbackDeferMs ?? 1000);
    return responder;
  }

  /** A responder for a button click, acknowledged at once with a deferred update of the clicked card. */
  static async forButton(interaction: InteractionTransport, clickedMessageId: string, options: InteractionResponderOptions): Promise<InteractionResponder> {
    const responder = new InteractionResponder(interaction, options);
    await interaction.deferUpdate();
    responder.acknowledgement = 'done';
    responder.originalHandle = discordHandle(interaction.channelId, clickedMessageId);
    return responder;
  }

  reply(message: Message): Promise<MessageHandle> {
    return this.serially(async () => {
      if (this.acknowledgement === 'deferred-privately') return this.followUpInPublic(message);
      if (this.acknowledgement === 'none') {
        await this.interaction.deferReply({ ephemeral: false });
        this.acknowledgement = 'thinking';
      }
      const [body, ...rest] = this.bodies(message);
      let handle: MessageHandle;
      if (!this.originalTaken) {
        const edited = await this.interaction.editReply(body!);
        this.originalTaken = true;
        this.acknowledgement = 'done';
        this.originalHandle ??= discordHandle(this.interaction.channelId || edited.channelId, edited.id);
        handle = this.originalHandle;
      } else {
        const sent = await this.interaction.followUp(body!, { ephemeral: false });
        this.followUps.add(sent.id);
        handle = discordHandle(sent.channelId, sent.id);
      }
      await this.continue(handle, rest);
      return handle;
    });
  }

  update(handle: MessageHandle, message: Message): Promise<void> {
    return this.serially(async () => {
      const { messageId } = parseDiscordHandle(handle);
      const fresh = Date.now() - this.interaction.createdTimestamp < tokenLifetimeMs;
      const [body, ...rest] = this.bodies(message);
      if (fresh && this.originalHandle?.id === handle.id) {
        await this.interaction.editReply(body!);
        this.originalTaken = true;
      } else if (fresh && this.followUps.has(messageId)) {
        await this.interaction.editReply(body!, messageId);
      } else {
        await this.options.port.update(handle, message);
        return;
      }
      await this.continue(handle, rest);
    });
  }

  replyPrivately(message: Message): Promise<void> {
    return this.serially(async () => {
      const [first, ...rest] = this.bodies(message);
      const ephemeral = { ephemeral: true };
      if (this.acknowledgement === 'deferred-privately') {
        await this.interaction.editReply(first!);
        this.originalTaken = true;
      } else if (this.acknowledgement === 'none') {
        await this.interaction.reply(first!, ephemeral);
        this.originalTaken = true;
      } else {
        await this.interaction.followUp(first!, ephemeral);
        if (this.acknowledgement === 'thinking') await this.removeThinking();
      }
      this.acknowledgement = 'done';
      for (const body of rest) await this.interaction.followUp(body, ephemeral);
    });
  }

  /** Called when the command has finished: no "thinking…" is left behind and every interaction is answered. */
  finish(): Promise<void> {
    clearTimeout(this.fallback);
    return this.serially(async () => {
      if (this.acknowledgement === 'none') {
        await this.interaction.reply({ content: nothingToShow, embeds: [], components: [] }, { ephemeral: true });
      } else if (this.acknowledgement === 'deferred-privately') {
        await this.interaction.editReply({ content: nothingToShow });
      } else if (this.acknowledgement === 'thinking') {
        await this.removeThinking();
      }
      this.acknowledgement = 'done';
    });
  }

  /** Stops the fallback timer without answering, for shutdown. */
  cancel(): void {
    clearTimeout(this.fallback);
  }

  private async deferIfSilent(): Promise<void> {
    await this.serially(async () => {
      if (this.acknowledgement !== 'none') return;
      await this.interaction.deferReply({ ephemeral: true });
      this.acknowledgement = 'deferred-privately';
    }).catch((error: unknown) => this.options.logger.error({ code: 'DISCORD_DEFER_FAILED', err: errorMessage(error) }, 'could not defer the interaction'));
  }

  /** The first public output after a private deferral: resolve the private reply, post in public, remove the private one. */
  private async followUpInPublic(message: Message): Promise<MessageHandle> {
    await this.interaction.editReply({ content: startedInChannel });
    this.originalTaken = true;
    this.acknowledgement = 'done';
    const [body, ...rest] = this.bodies(message);
    const sent = await this.interaction.followUp(body!, { ephemeral: false });
    this.followUps.add(sent.id);
    await this.interaction.deleteReply().catch((error: unknown) => this.options.logger.warn({ err: errorMessage(error) }, 'could not remove the private "thinking…" reply'));
    const handle = discordHandle(sent.channelId, sent.id);
    await this.continue(handle, rest);
    return handle;
  }

  private async removeThinking(): Promise<void> {
    await this.interaction.deleteReply();
    this.originalTaken = true;
  }

  private bodies(message: Message): DiscordMessageBody[] {
    return renderDiscordMessages(message, this.options.render);
  }

  /** Sends the rest of a split report as follow-ups after its first message, editing those sent for it before. */
  private async continue(handle: MessageHandle, rest: readonly DiscordMessageBody[]): Promise<void> {
    const earlier = this.continuations.get(handle.id);
    if (rest.length === 0 && earlier.length === 0) return;
    this.continuations.set(handle.id, await syncFollowUps(rest, earlier, this.followUpSender()));
  }

  private followUpSender(): FollowUpSender<DiscordMessageBody, string> {
    return {
      post: async (body) => (await this.interaction.followUp(body, { ephemeral: false })).id,
      edit: async (messageId, body) => {
        await this.interaction.editReply(body, messageId);
      },
      remove: (messageId) => this.interaction.deleteReply(messageId),
    };
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
