import type { Message } from '../core/report.js';
import type { MessageHandle, Responder } from '../core/responder.js';
import type { Channel } from './channels.js';
import type { ChannelDelivery } from './delivery.js';

/**
 * The responder of a scheduled run: a fan-out. Every reply is posted in each of the schedule's channels
 * (the handle carries the other posts as copies) and updates go to all of them; when no channel took a
 * reply, its handle names no post and its updates are dropped. Private replies (errors) are posted too:
 * nobody else would see them.
 */
export class ChannelResponder implements Responder {
  private readonly unposted = new Set<string>();

  constructor(
    private readonly delivery: ChannelDelivery,
    private readonly channels: readonly Channel[],
  ) {}

  async reply(message: Message): Promise<MessageHandle> {
    const handle = await this.delivery.broadcast(this.channels, message);
    if (handle) return handle;
    const nowhere: MessageHandle = { platform: this.channels[0]?.platform ?? 'console', id: `unposted-${this.unposted.size + 1}` };
    this.unposted.add(nowhere.id);
    return nowhere;
  }

  async update(handle: MessageHandle, message: Message): Promise<void> {
    if (this.unposted.has(handle.id)) return;
    await this.delivery.update(handle, message);
  }

  async replyPrivately(message: Message): Promise<void> {
    await this.reply(message);
  }
}
