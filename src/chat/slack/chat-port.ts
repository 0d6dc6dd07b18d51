import type { webApi } from '@slack/bolt';
import type { Message } from '../../core/report.js';
import type { ChatPort, MessageHandle } from '../../core/responder.js';
import { fromHandle } from './message-handle.js';
import { postMessage, updateMessage } from './slack-api.js';

/** Slack as a `ChatPort`: posts with chat.postMessage (threads and replies by `thread_ts`) and updates with chat.update. */
export class SlackChatPort implements ChatPort {
  readonly platform = 'slack' as const;

  constructor(private readonly client: webApi.WebClient) {}

  post(channelId: string, message: Message, options: { thread?: MessageHandle } = {}): Promise<MessageHandle> {
    return postMessage(this.client, channelId, message, options.thread ? fromHandle(options.thread).ts : undefined);
  }

  replyTo(parent: MessageHandle, message: Message): Promise<MessageHandle> {
    const { channel, ts } = fromHandle(parent);
    return postMessage(this.client, channel, message, ts);
  }

  update(handle: MessageHandle, message: Message): Promise<void> {
    return updateMessage(this.client, handle, message);
  }
}
