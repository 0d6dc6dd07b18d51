import type { Platform } from './invocation.js';
import type { Message } from './report.js';

/** A message the bot posted: plain data, safe to store, naming the platform it is on. */
export interface MessageHandle {
  readonly platform: Platform;
  /** Adapter-specific and opaque to the core (Slack: `channel/ts`). */
  readonly id: string;
  /** The same message posted in further channels (a schedule's fan-out); they are updated together. */
  readonly copies?: readonly MessageHandle[];
}

/** Replaces a message posted earlier, by its handle. */
export interface MessageUpdater {
  update(handle: MessageHandle, message: Message): Promise<void>;
}

/**
 * Posts in channels and updates by handle, outside of any one command's reply: scheduled reports, alerts,
 * approval cards (also after a restart, from a stored handle). Each chat platform has one; the outbound
 * registry (`src/outbound/registry.ts`) sends through the one the handle names. A report too long for one
 * message goes on in follow-ups in the first message's thread (`src/render/report-pages.ts`); the handle
 * names the first.
 */
export interface ChatPort extends MessageUpdater {
  readonly platform: Platform;
  /** Posts in a channel; with `thread`, as a reply under that message where the platform has threads. */
  post(channelId: string, message: Message, options?: { thread?: MessageHandle }): Promise<MessageHandle>;
  /**
   * Posts a new message in answer to a posted one (one handle, its copies aside), where the readers of that
   * one see it: Slack in its thread, Discord as a reply to it. A new message notifies its mentions; an edit does not.
   */
  replyTo(parent: MessageHandle, message: Message): Promise<MessageHandle>;
  /** True when the message goes out as one message, without follow-ups; a platform without limits leaves this out. */
  fitsOneMessage?(message: Message): boolean;
}

/**
 * Answers one invocation, on its platform: the public reply, private answers to the requester, and
 * updates of messages on the same platform (through the invocation where it can, e.g. a Discord
 * interaction's token). A message on another platform is updated through the outbound registry. As
 * with `ChatPort`, a report too long for one message goes on in follow-ups after the one the handle names.
 */
export interface Responder extends MessageUpdater {
  /** Posts a message in the invocation's channel. */
  reply(message: Message): Promise<MessageHandle>;
  /** Tells only the requester (ephemeral where the platform has it): errors and denials. */
  replyPrivately(message: Message): Promise<void>;
}
