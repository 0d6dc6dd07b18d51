import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Message } from '../../core/report.js';
import type { MessageHandle, Responder } from '../../core/responder.js';
import { FollowUpMemory } from '../follow-ups.js';
import { renderSlackMessages } from './blocks.js';
import { postMessage, slackErrorCode, updateMessage, type SlackFollowUps } from './slack-api.js';

/** What a button click's responder needs from Bolt; the click itself is acknowledged before it runs. */
export interface ButtonResponderOptions {
  client: webApi.WebClient;
  channel: string;
  /** The clicked message, when it can be updated (not an ephemeral one). */
  clicked?: MessageHandle;
  respond: RespondFn;
  logger: Logger;
}

const unreachableMessage = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/**
 * Answers a button click: the first public answer replaces the clicked message (the card is updated in
 * place), later ones — or all of them when the clicked message cannot be updated — are posted anew;
 * private answers go to the clicker only. A report too long for one message goes on in its thread (a
 * private one, in further private messages).
 */
export class ButtonResponder implements Responder {
  private clickedUsed = false;
  private readonly followUps: SlackFollowUps = new FollowUpMemory();

  constructor(private readonly options: ButtonResponderOptions) {}

  async reply(message: Message): Promise<MessageHandle> {
    const { clicked } = this.options;
    if (clicked && !this.clickedUsed) {
      this.clickedUsed = true;
      try {
        await updateMessage(this.options.client, clicked, message, this.followUps);
        return clicked;
      } catch (error) {
        if (!unreachableMessage.has(slackErrorCode(error) ?? '')) throw error;
        this.options.logger.warn({ err: error, message: clicked.id }, 'the clicked message cannot be updated; posting a new one');
      }
    }
    return postMessage(this.options.client, this.options.channel, message, undefined, this.followUps);
  }

  update(handle: MessageHandle, message: Message): Promise<void> {
    return updateMessage(this.options.client, handle, message, this.followUps);
  }

  async replyPrivately(message: Message): Promise<void> {
    for (const page of renderSlackMessages(message)) await this.options.respond({ response_type: 'ephemeral', replace_original: false, ...page });
  }
}
