import { CodedError } from '../../core/errors.js';
import type { MessageHandle } from '../../core/responder.js';

/** Where a Discord message lives. */
export interface DiscordMessageRef {
  channelId: string;
  messageId: string;
}

/** A handle for a Discord message: `channelId/messageId`, plain data that may be stored. */
export function discordHandle(channelId: string, messageId: string): MessageHandle {
  return { platform: 'discord', id: `${channelId}/${messageId}` };
}

/** The channel and message a Discord handle names; throws a coded error for any other handle. */
export function parseDiscordHandle(handle: MessageHandle): DiscordMessageRef {
  const match = /^(\d+)\/(\d+)$/.exec(handle.id);
  if (handle.platform !== 'discord' || !match) {
    throw new CodedError('DISCORD_BAD_HANDLE', 'not a Discord message handle', { platform: handle.platform, id: handle.id });
  }
  return { channelId: match[1]!, messageId: match[2]! };
}
