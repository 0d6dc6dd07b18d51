import type { Logger } from 'pino';
import type { ChatPort } from '../core/chat-port.js';
import { errorMessage } from '../core/errors.js';
import type { Platform } from '../core/invocation.js';
import type { Message } from '../core/report.js';
import type { MessageHandle } from '../core/responder.js';
import { inQuietHours } from './quiet-hours.js';
import type { ScheduleChannel } from '../schedule/schedule-config.js';

/** A channel as one string, for maps keyed by where something was posted. */
export function channelKey(channel: Pick<ScheduleChannel, 'platform' | 'id'>): string {
  return `${channel.platform}:${channel.id}`;
}

/**
 * Posts scheduled messages through the connected chat ports. A channel on a platform this process
 * has not connected is logged once and skipped; a failed post is logged and skipped, never thrown.
 */
export class ChannelDelivery {
  private readonly missingPlatforms = new Set<string>();

  constructor(
    private readonly ports: ReadonlyMap<Platform, ChatPort>,
    private readonly logger: Logger,
  ) {}

  /** True when this process can post on every platform the channels are on. */
  canReach(channels: readonly ScheduleChannel[]): boolean {
    return channels.every((channel) => this.ports.has(channel.platform));
  }

  /** True when a message of this severity must wait until the channel's quiet hours end. */
  isQuiet(channel: ScheduleChannel, critical: boolean, at: Date, timeZone: string): boolean {
    return !critical && inQuietHours(channel.quiet_hours, at, timeZone);
  }

  /** Posts in one channel; undefined when the platform is not connected or the post failed. */
  async post(channel: ScheduleChannel, message: Message, thread?: MessageHandle): Promise<MessageHandle | undefined> {
    const port = this.ports.get(channel.platform);
    if (!port) {
      if (!this.missingPlatforms.has(channel.platform)) {
        this.missingPlatforms.add(channel.platform);
        this.logger.warn({ platform: channel.platform, channel: channel.id }, `scheduled messages for ${channel.platform} are skipped: ${channel.platform} is not connected in this process`);
      }
      return undefined;
    }
    try {
      return await port.post(channel.id, message, thread ? { thread } : undefined);
    } catch (error) {
      this.logger.error({ platform: channel.platform, channel: channel.id, err: errorMessage(error) }, 'could not post a scheduled message');
      return undefined;
    }
  }

  /** Replaces a message posted earlier; failures are logged. */
  async update(platform: Platform, handle: MessageHandle, message: Message): Promise<void> {
    const port = this.ports.get(platform);
    if (!port) return;
    try {
      await port.update(handle, message);
    } catch (error) {
      this.logger.error({ platform, err: errorMessage(error) }, 'could not update a scheduled message');
    }
  }
}
