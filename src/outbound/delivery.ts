import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { Platform } from '../core/invocation.js';
import type { Message } from '../core/report.js';
import type { MessageHandle } from '../core/responder.js';
import type { Channel } from './channels.js';
import { inQuietHours } from './quiet-hours.js';
import type { OutboundRegistry } from './registry.js';

/**
 * Posts scheduled messages and alerts in channels through the outbound registry. A channel on a platform
 * this process has not connected is logged once and skipped; a failed post or update is logged, never thrown.
 */
export class ChannelDelivery {
  private readonly missingPlatforms = new Set<Platform>();

  constructor(
    private readonly outbound: OutboundRegistry,
    private readonly logger: Logger,
  ) {}

  /** True when this process can post on every platform the channels are on. */
  canReach(channels: readonly Channel[]): boolean {
    return channels.every((channel) => this.outbound.reaches(channel.platform));
  }

  /** True when a message of this severity must wait until the channel's quiet hours end; `timeZone` undefined is local time. */
  isQuiet(channel: Channel, critical: boolean, at: Date, timeZone: string | undefined): boolean {
    return !critical && inQuietHours(channel.quiet_hours, at, timeZone);
  }

  /** True when the message goes out in the channel as one message, without follow-ups in its thread. */
  fitsOneMessage(channel: Channel, message: Message): boolean {
    return this.outbound.fitsOneMessage(channel.platform, message);
  }

  /** Posts in one channel; undefined when the platform is not connected or the post failed. */
  async post(channel: Channel, message: Message, thread?: MessageHandle): Promise<MessageHandle | undefined> {
    if (!this.outbound.reaches(channel.platform)) {
      if (!this.missingPlatforms.has(channel.platform)) {
        this.missingPlatforms.add(channel.platform);
        this.logger.warn({ platform: channel.platform, channel: channel.id }, `scheduled messages for ${channel.platform} are skipped: ${channel.platform} is not connected in this process`);
      }
      return undefined;
    }
    try {
      return await this.outbound.post(channel.platform, channel.id, message, thread ? { thread } : undefined);
    } catch (error) {
      this.logger.error({ platform: channel.platform, channel: channel.id, err: errorMessage(error) }, 'could not post a scheduled message');
      return undefined;
    }
  }

  /** Posts one message in each channel; the handle of the first post carries the others as copies, undefined when nothing was posted. */
  async broadcast(channels: readonly Channel[], message: Message): Promise<MessageHandle | undefined> {
    const posted: MessageHandle[] = [];
    for (const channel of channels) {
      const handle = await this.post(channel, message);
      if (handle) posted.push(handle);
    }
    const [first, ...copies] = posted;
    return first && copies.length > 0 ? { ...first, copies } : first;
  }

  /** Replaces a message posted earlier, and its copies; failures are logged. */
  async update(handle: MessageHandle, message: Message): Promise<void> {
    try {
      await this.outbound.update(handle, message);
    } catch (error) {
      this.logger.error({ platform: handle.platform, err: errorMessage(error) }, 'could not update a scheduled message');
    }
  }
}
