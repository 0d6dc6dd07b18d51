import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { notice, type Message } from '../../core/report.js';
import type { MessageHandle, Responder } from '../../core/responder.js';
import { FollowUpMemory } from '../follow-ups.js';
import { renderSlackMessages, type SlackMessage } from './blocks.js';
import { postMessage, updateMessage, type SlackFollowUps } from './slack-api.js';

/** What a slash command's responder needs from Bolt; the command was acknowledged already. */
export interface SlashCommandResponderOptions {
  client: webApi.WebClient;
  channel: string;
  respond: RespondFn;
  logger: Logger;
  /** When nothing reached the requester by then, "Working on it…" tells them privately (default 1000 ms). */
  fallbackAckMs?: number;
}

const workingOnIt = notice('info', 'Working on it…');

/**
 * Answers one `/maint` command after its empty acknowledgement: private answers go to the `response_url`
 * (Slack shows them to the requester only, so a typo posts nothing in the channel); public answers are posted in
 * the channel, to be updated in place. A report too long for one message goes on in its thread (a private one,
 * in further private messages). A command that has said nothing after `fallbackAckMs` tells the requester
 * "Working on it…".
 */
export class SlashCommandResponder implements Responder {
  private answered = false;
  private readonly followUps: SlackFollowUps = new FollowUpMemory();
  private readonly fallbackTimer: NodeJS.Timeout;

  constructor(private readonly options: SlashCommandResponderOptions) {
    this.fallbackTimer = setTimeout(() => {
      if (this.answered) return;
      this.answered = true;
      void this.replyPrivately(workingOnIt).catch((error: unknown) => options.logger.error({ err: error }, 'could not tell the requester the command is running'));
    }, options.fallbackAckMs ?? 1000);
  }

  reply(message: Message): Promise<MessageHandle> {
    this.markAnswered();
    return postMessage(this.options.client, this.options.channel, message, undefined, this.followUps);
  }

  update(handle: MessageHandle, message: Message): Promise<void> {
    return updateMessage(this.options.client, handle, message, this.followUps);
  }

  async replyPrivately(message: Message): Promise<void> {
    this.markAnswered();
    for (const page of renderSlackMessages(message)) await this.respondPrivately(page);
  }

  /** Stops the "Working on it…" timer once the command has ended. */
  finish(): void {
    this.markAnswered();
  }

  private markAnswered(): void {
    this.answered = true;
    clearTimeout(this.fallbackTimer);
  }

  private async respondPrivately(page: SlackMessage): Promise<void> {
    await this.options.respond({ response_type: 'ephemeral', replace_original: false, ...page });
  }
}
