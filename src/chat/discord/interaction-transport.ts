import type { DiscordMessageBody } from './message-body.js';

/** A message an interaction's webhook created or edited. */
export interface SentMessage {
  id: string;
  channelId: string;
}

/**
 * How one interaction is answered, the same for the gateway (discord.js's interaction methods) and for HTTP
 * interactions (the request's own response, then the interaction webhook over REST). The first of `reply`,
 * `deferReply` and `deferUpdate` is the interaction's initial response (Discord's types 4, 5 and 6); the
 * others act on the interaction webhook, which lives 15 minutes.
 */
export interface InteractionTransport {
  readonly channelId: string;
  /** When Discord created the interaction (ms since the epoch), from its snowflake. */
  readonly createdTimestamp: number;
  /** Type 4: the response is this message, seen only by the user when `ephemeral`. */
  reply(body: DiscordMessageBody, options: { ephemeral: boolean }): Promise<void>;
  /** Type 5: "thinking…", replaced by the first edit of the original response. */
  deferReply(options: { ephemeral: boolean }): Promise<void>;
  /** Type 6: a button click acknowledged; the clicked message becomes the original response. */
  deferUpdate(): Promise<void>;
  /** Edits the original response (no `messageId`) or a follow-up. */
  editReply(body: Partial<DiscordMessageBody>, messageId?: string): Promise<SentMessage>;
  /** A new message after the initial response; ephemeral ones are flagged 64. */
  followUp(body: DiscordMessageBody, options: { ephemeral: boolean }): Promise<SentMessage>;
  /** Deletes the original response (no `messageId`) or a follow-up. */
  deleteReply(messageId?: string): Promise<void>;
}
