import type { Platform } from './invocation.js';
import type { Message } from './report.js';
import type { MessageHandle } from './responder.js';

/**
 * A chat platform as the core sees it outside of a command's own reply: posting scheduled reports
 * and alerts, and updating approval cards that were posted earlier (possibly before a restart).
 * `MessageHandle`s it returns are plain data and may be stored.
 */
export interface ChatPort {
  readonly platform: Platform;
  /** Posts in a channel; with `thread`, as a reply under that message where the platform has threads. */
  post(channelId: string, message: Message, options?: { thread?: MessageHandle }): Promise<MessageHandle>;
  /** Replaces a message this bot posted earlier. */
  update(handle: MessageHandle, message: Message): Promise<void>;
}
