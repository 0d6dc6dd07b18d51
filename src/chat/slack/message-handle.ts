import { CodedError } from '../../core/errors.js';
import type { MessageHandle } from '../../core/responder.js';

/** Where a Slack message lives: its channel and its `ts`. */
export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/** A storable handle for a Slack message: `channel/ts`. */
export function toHandle(ref: SlackMessageRef): MessageHandle {
  return { platform: 'slack', id: `${ref.channel}/${ref.ts}` };
}

/** The channel and `ts` inside a handle made by `toHandle`. */
export function fromHandle(handle: MessageHandle): SlackMessageRef {
  const slash = handle.id.indexOf('/');
  if (handle.platform !== 'slack' || slash <= 0 || slash === handle.id.length - 1) {
    throw new CodedError('SLACK_BAD_HANDLE', 'not a Slack message handle', { handle });
  }
  return { channel: handle.id.slice(0, slash), ts: handle.id.slice(slash + 1) };
}
