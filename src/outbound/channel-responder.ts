import type { Platform } from '../core/invocation.js';
import type { Message } from '../core/report.js';
import type { MessageHandle, Responder } from '../core/responder.js';
import type { ChannelDelivery } from './delivery.js';
import type { ScheduleChannel } from '../schedule/schedule-config.js';

/**
 * A responder for a scheduled runbook: every reply is posted in each of the schedule's channels and
 * later updates go to each of those posts. Private replies (errors) are posted too: nobody else would see them.
 */
export class ChannelResponder implements Responder {
  private readonly posted = new Map<string, { platform: Platform; handle: MessageHandle }[]>();
  private counter = 0;

  constructor(
    private readonly delivery: ChannelDelivery,
    private readonly channels: readonly ScheduleChannel[],
    private readonly deliverable: (channel: ScheduleChannel, message: Message) => boolean = () => true,
  ) {}

  async reply(message: Message): Promise<MessageHandle> {
    const id = `scheduled-${++this.counter}`;
    const handles: { platform: Platform; handle: MessageHandle }[] = [];
    for (const channel of this.channels) {
      if (!this.deliverable(channel, message)) continue;
      const handle = await this.delivery.post(channel, message);
      if (handle) handles.push({ platform: channel.platform, handle });
    }
    this.posted.set(id, handles);
    return { platform: 'scheduler', id };
  }

  async update(handle: MessageHandle, message: Message): Promise<void> {
    for (const posted of this.posted.get(handle.id) ?? []) await this.delivery.update(posted.platform, posted.handle, message);
  }

  async replyPrivately(message: Message): Promise<void> {
    await this.reply(message);
  }
}
