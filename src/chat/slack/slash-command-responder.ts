import type { RespondArguments, RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { notice, type Message } from '../../core/report.js';
import type { MessageHandle, Responder } from '../../core/responder.js';
import { FollowUpMemory } from '../follow-ups.js';
import { renderSlackMessage, renderSlackMessages, type SlackMessage } from './blocks.js';
import { postMessage, updateMessage, type SlackFollowUps } from './slack-api.js';

/** Acknowledges a slash command; Slack shows the payload, if any, to the requester only. */
export type SlashAck = (response?: RespondArguments) => Promise<void>;

/** What a slash command's responder needs from Bolt. */
export interface SlashCommandResponderOptions {
  client: webApi.WebClient;
  channel: string;
  ack: SlashAck;
  respond: RespondFn;
  logger: Logger;
  /** When nothing was sent by then, "Working on it…" acknowledges the command (Slack allows 3 s). */
  fallbackAckMs?: number;
}

const workingOnIt = notice('info', 'Working on it…');

/**
 * Answers one `/maint` command within Slack's 3 s: the first private answer is the acknowledgement itself
 * (so a typo posts nothing in the channel); the first public answer acks with "Working on it…" and is posted
 * in the channel, to be updated in place; private answers after the ack go to the `response_url`. A report
 * too long for one message goes on in its thread (a private one, in further private messages).
 */
export class SlashCommandResponder implements Responder {
  private acked = false;
  private readonly followUps: SlackFollowUps = new FollowUpMemory();
  private readonly fallbackTimer: NodeJS.Timeout;

  constructor(private readonly options: SlashCommandResponderOptions) {
    this.fallbackTimer = setTimeout(() => void this.acknowledge(workingOnIt), options.fallbackAckMs ?? 1000);
  }

  async reply(message: Message): Promise<MessageHandle> {
    await this.acknowledge(workingOnIt);
    return postMessage(this.options.client, this.options.channel, message, undefined, this.followUps);
  }

  update(handle: MessageHandle, message: Message): Promise<void> {
    return updateMessage(this.options.client, handle, message, this.followUps);
  }

  async replyPrivately(message: Message): Promise<void> {
    const [first, ...rest] = renderSlackMessages(message);
    if (!(await this.acknowledge(message))) await this.respondPrivately(first!);
    for (const page of rest) await this.respondPrivately(page);
  }

  /** Acknowledges with nothing if the command ended without a word; stops the fallback timer. */
  async finish(): Promise<void> {
    await this.acknowledge();
  }

  private async respondPrivately(page: SlackMessage): Promise<void> {
    await this.options.respond({ response_type: 'ephemeral', replace_original: false, ...page });
  }

  /** Sends the acknowledgement unless it was sent already; true when this call sent it. */
  private async acknowledge(message?: Message): Promise<boolean> {
    if (this.acked) return false;
    this.acked = true;
    clearTimeout(this.fallbackTimer);
    try {
      await this.options.ack(message ? { response_type: 'ephemeral', ...renderSlackMessage(message) } : undefined);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not acknowledge a slash command');
    }
    return true;
  }
}
