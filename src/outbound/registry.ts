import { CodedError } from '../core/errors.js';
import type { Platform } from '../core/invocation.js';
import type { Message } from '../core/report.js';
import type { ChatPort, MessageHandle, MessageUpdater } from '../core/responder.js';

/**
 * The one way the bot posts and updates messages outside of a command's own reply: by the platform a
 * handle names, whichever platform the command that causes it came from. So a Slack approval card
 * approved by a command typed in Discord is updated on Slack. Chat platforms connect their port once started.
 */
export class OutboundRegistry implements MessageUpdater {
  private readonly ports = new Map<Platform, ChatPort>();

  /** Sends through this port from now on for its platform. */
  connect(port: ChatPort): void {
    this.ports.set(port.platform, port);
  }

  /** True when this process can post on the platform. */
  reaches(platform: Platform): boolean {
    return this.ports.has(platform);
  }

  /** Posts in a channel of a platform; throws a coded error when the platform is not connected in this process. */
  post(platform: Platform, channelId: string, message: Message, options?: { thread?: MessageHandle }): Promise<MessageHandle> {
    return this.portFor(platform).post(channelId, message, options);
  }

  /** Posts a new message in answer to one posted earlier (not its copies), on the platform its handle names. */
  replyTo(parent: MessageHandle, message: Message): Promise<MessageHandle> {
    return this.portFor(parent.platform).replyTo(parent, message);
  }

  /** True when the message goes out on the platform as one message (a platform without limits, or one not connected here: true). */
  fitsOneMessage(platform: Platform, message: Message): boolean {
    return this.ports.get(platform)?.fitsOneMessage?.(message) ?? true;
  }

  /** Replaces a message, and each of its copies, on the platform each names; throws the first failure after trying all. */
  async update(handle: MessageHandle, message: Message): Promise<void> {
    const { copies = [], ...primary } = handle;
    const outcomes = await Promise.allSettled([primary, ...copies].map(async (posted) => this.portFor(posted.platform).update(posted, message)));
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  }

  private portFor(platform: Platform): ChatPort {
    const port = this.ports.get(platform);
    if (!port) throw new CodedError('OUTBOUND_NOT_CONNECTED', `${platform} is not connected in this process`, { platform });
    return port;
  }
}
