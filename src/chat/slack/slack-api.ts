import type { webApi } from '@slack/bolt';
import { CodedError, UserError } from '../../core/errors.js';
import type { Message } from '../../core/report.js';
import type { MessageHandle } from '../../core/responder.js';
import { syncFollowUps, type FollowUpMemory, type FollowUpSender } from '../follow-ups.js';
import { renderSlackMessages, type SlackMessage } from './blocks.js';
import { fromHandle, toHandle } from './message-handle.js';

/** The thread replies that carry the rest of split Slack messages: their `ts`, by the first message's handle id. */
export type SlackFollowUps = FollowUpMemory<string>;

/**
 * Posts a rendered message in a channel, optionally in a thread; a report too long for one message goes on
 * in replies in its thread (remembered in `followUps`). A channel the bot cannot post in is a user error.
 */
export async function postMessage(client: webApi.WebClient, channel: string, message: Message, threadTs?: string, followUps?: SlackFollowUps): Promise<MessageHandle> {
  const [first, ...rest] = renderSlackMessages(message);
  let handle: MessageHandle;
  try {
    const answer = await client.chat.postMessage({ channel, ...first!, ...(threadTs ? { thread_ts: threadTs } : {}) });
    if (!answer.ts) throw new CodedError('SLACK_POST_NO_TS', 'chat.postMessage answered without a ts', { channel });
    handle = toHandle({ channel: answer.channel ?? channel, ts: answer.ts });
  } catch (error) {
    const code = slackErrorCode(error);
    if (code === 'channel_not_found' || code === 'not_in_channel' || code === 'is_archived') {
      throw new UserError(`I cannot post in this channel (${code}). Invite me with /invite, or run the command in a channel I am in.`);
    }
    throw error;
  }
  if (rest.length > 0) {
    const posted = fromHandle(handle);
    const replies = await syncFollowUps(rest, [], threadReplies(client, posted.channel, threadTs ?? posted.ts));
    followUps?.set(handle.id, replies);
  }
  return handle;
}

/** Replaces a message this bot posted, and brings the replies that carry the rest of a split report up to date. */
export async function updateMessage(client: webApi.WebClient, handle: MessageHandle, message: Message, followUps?: SlackFollowUps): Promise<void> {
  const { channel, ts } = fromHandle(handle);
  const [first, ...rest] = renderSlackMessages(message);
  await client.chat.update({ channel, ts, ...first! });
  const earlier = followUps?.get(handle.id) ?? [];
  if (rest.length === 0 && earlier.length === 0) return;
  const replies = await syncFollowUps(rest, earlier, threadReplies(client, channel, ts));
  followUps?.set(handle.id, replies);
}

function threadReplies(client: webApi.WebClient, channel: string, threadTs: string): FollowUpSender<SlackMessage, string> {
  return {
    post: async (page) => {
      const answer = await client.chat.postMessage({ channel, thread_ts: threadTs, ...page });
      if (!answer.ts) throw new CodedError('SLACK_POST_NO_TS', 'chat.postMessage answered without a ts', { channel });
      return answer.ts;
    },
    edit: async (replyTs, page) => {
      await client.chat.update({ channel, ts: replyTs, ...page });
    },
    remove: async (replyTs) => {
      await client.chat.delete({ channel, ts: replyTs });
    },
  };
}

/** The `error` of a Slack Web API platform error (e.g. `channel_not_found`), if that is what was thrown. */
export function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
