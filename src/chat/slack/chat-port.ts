import type { webApi } from '@slack/bolt';
import type { Message } from '../../core/report.js';
import type { ChatPort, MessageHandle } from '../../core/responder.js';
import { FollowUpMemory } from '../follow-ups.js';
import { renderSlackMessages } from './blocks.js';
import { fromHandle } from './message-handle.js';
import { postMessage, updateMessage, type SlackFollowUps } from './slack-api.js';

/**
 * Slack as a `ChatPort`: posts with chat.postMessage (threads and replies by `thread_ts`) and updates with
 * chat.update; a report too long for one message goes on in its thread.
 */
export class SlackChatPort implements ChatPort {
  readonly platform = 'slack' as const;
  private readonly followUps: SlackFollowUps = new FollowUpMemory();

  constructor(private readonly client: webApi.WebClient) {}

  post(channelId: string, message: Message, options: { thread?: MessageHandle } = {}): Promise<MessageHandle> {
    return postMessage(this.client, channelId, message, options.thread ? fromHandle(options.thread).ts : undefined, this.followUps);
  }

  replyTo(parent: MessageHandle, message: Message): Promise<MessageHandle> {
    const { channel, ts } = fromHandle(parent);
    return postMessage(this.client, channel, message, ts);
  }

  update(handle: MessageHandle, message: Message): Promise<void> {
    return updateMessage(this.client, handle, message, this.followUps);
  }

  fitsOneMessage(message: Message): boolean {
    return renderSlackMessages(message).length === 1;
  }
}
