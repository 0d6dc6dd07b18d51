import type { Message } from '../core/report.js';
import type { MessageHandle, MessageUpdater, Responder } from '../core/responder.js';

/**
 * The one chat message of a run. A new run's first `show` posts it as the reply to the invocation and
 * later ones replace it in place; a resumed run only replaces it, and with a `note` (who approved the run)
 * every version carries it. This is the only place a run posts or updates chat messages.
 */
export class RunMessage {
  private constructor(
    private readonly updater: MessageUpdater,
    private readonly replier: Pick<Responder, 'reply'> | undefined,
    private posted: MessageHandle | undefined,
    private readonly note: string | undefined,
  ) {}

  /** The message of a new run, posted through the invocation's responder at the first `show`. */
  static replyingWith(responder: Responder): RunMessage {
    return new RunMessage(responder, responder, undefined, undefined);
  }

  /** The message of a resumed run: `posted` already exists and is updated through `updater`. */
  static resumed(updater: MessageUpdater, posted: MessageHandle, note?: string): RunMessage {
    return new RunMessage(updater, undefined, posted, note);
  }

  /** The posted message, once there is one. */
  get handle(): MessageHandle | undefined {
    return this.posted;
  }

  /** Posts or replaces the message; throws when the chat platform refuses. */
  async show(message: Message): Promise<void> {
    const shown = this.note ? withNote(message, this.note) : message;
    if (this.posted) await this.updater.update(this.posted, shown);
    else if (this.replier) this.posted = await this.replier.reply(shown);
  }
}

function withNote(message: Message, note: string): Message {
  return message.kind === 'report'
    ? { ...message, context: { ...message.context, note: [message.context?.note, note].filter(Boolean).join(' · ') } }
    : { ...message, text: `${message.text} (${note})` };
}
