import type { webApi } from '@slack/bolt';
import { CodedError, UserError } from '../../core/errors.js';
import type { Message } from '../../core/report.js';
import type { MessageHandle } from '../../core/responder.js';
import { renderSlackMessage } from './blocks.js';
import { fromHandle, toHandle } from './message-handle.js';

/** Posts a rendered message in a channel, optionally in a thread; a channel the bot cannot post in is a user error. */
export async function postMessage(client: webApi.WebClient, channel: string, message: Message, threadTs?: string): Promise<MessageHandle> {
  const rendered = renderSlackMessage(message);
  try {
    const answer = await client.chat.postMessage({ channel, ...rendered, ...(threadTs ? { thread_ts: threadTs } : {}) });
    if (!answer.ts) throw new CodedError('SLACK_POST_NO_TS', 'chat.postMessage answered without a ts', { channel });
    return toHandle({ channel: answer.channel ?? channel, ts: answer.ts });
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === 'channel_not_found' || code === 'not_in_channel' || code === 'is_archived') {
      throw new UserError(`I cannot post in this channel (${code}). Invite me with /invite, or run the command in a channel I am in.`);
    }
    throw error;
  }
}

/** Replaces a message this bot posted. */
export async function updateMessage(client: webApi.WebClient, handle: MessageHandle, message: Message): Promise<void> {
  const { channel, ts } = fromHandle(handle);
  await client.chat.update({ channel, ts, ...renderSlackMessage(message) });
}

/** The `error` of a Slack Web API platform error (e.g. `channel_not_found`), if that is what was thrown. */
export function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
