import type { Message } from '../core/report.js';
import type { MessageHandle, MessageUpdater, Responder } from '../core/responder.js';

/**
 * The one chat message of a run. A new run's first `show` posts it as the reply to the invocation and
 * later ones replace it in place; a resumed run only replaces it, and with a `frame` (the approval's
 * record) every version goes through it. A private run's messages go to the requester alone, without
 * progress. This is the only place a run posts or updates chat messages.
 */
export class RunMessage {
  private constructor(
    private readonly updater: MessageUpdater,
    private readonly replier: Pick<Responder, 'reply'> | undefined,
    private posted: MessageHandle | undefined,
    private readonly frame: ((message: Message) => Message) | undefined,
    private readonly privateReplier?: Pick<Responder, 'replyPrivately'>,
  ) {}

  /** The message of a run that answers the requester alone: progress is not shown, every other message goes to them privately. */
  static privately(responder: Responder): RunMessage {
    return new RunMessage(responder, undefined, undefined, undefined, responder);
  }

  /** The message of a new run, posted through the invocation's responder at the first `show`. */
  static replyingWith(responder: Responder): RunMessage {
    return new RunMessage(responder, responder, undefined, undefined);
  }

  /** The message of a resumed run: `posted` already exists and is updated through `updater`. */
  static resumed(updater: MessageUpdater, posted: MessageHandle, frame?: (message: Message) => Message): RunMessage {
    return new RunMessage(updater, undefined, posted, frame);
  }

  /** The posted message, once there is one. */
  get handle(): MessageHandle | undefined {
    return this.posted;
  }

  /** Posts or replaces the message; throws when the chat platform refuses. */
  async show(message: Message): Promise<void> {
    await this.showAsIs(this.frame ? this.frame(message) : message);
  }

  /** Posts or replaces the message without the frame of an earlier approval: a later step's own approval card. */
  async showAsIs(message: Message): Promise<void> {
    if (this.privateReplier) {
      if (message.kind !== 'notice' || message.tone !== 'progress') await this.privateReplier.replyPrivately(message);
      return;
    }
    if (this.posted) await this.updater.update(this.posted, message);
    else if (this.replier) this.posted = await this.replier.reply(message);
  }
}
