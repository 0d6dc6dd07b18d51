import type { Message } from './report.js';

/** An adapter's handle on a message it posted, used to update that message in place. */
export interface MessageHandle {
  readonly platform: string;
  /** Adapter-specific and opaque to the core (Slack: `channel/ts`); plain data, safe to store. */
  readonly id: string;
}

/** How the core answers an invocation; each adapter implements it for its platform. */
export interface Responder {
  /** Posts a message in the invocation's channel. */
  reply(message: Message): Promise<MessageHandle>;
  /** Replaces a message posted earlier with `reply`. */
  update(handle: MessageHandle, message: Message): Promise<void>;
  /** Tells only the requester (ephemeral where the platform has it): errors and denials. */
  replyPrivately(message: Message): Promise<void>;
}
