import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { HomeSource } from '../../core/home.js';
import type { Actor } from '../../core/invocation.js';
import type { Message } from '../../core/report.js';
import type { MessageHandle, Responder } from '../../core/responder.js';
import { FollowUpMemory } from '../follow-ups.js';
import { renderSlackMessages } from './blocks.js';
import { postMessage, updateMessage, type SlackFollowUps } from './slack-api.js';

/** Renders a person's home from the core as Block Kit and publishes it to their App Home tab (views.publish). */
export async function publishHome(client: webApi.WebClient, home: HomeSource, actor: Actor): Promise<void> {
  const [page] = renderSlackMessages(await home.homeFor(actor, 'slack'));
  await client.views.publish({ user_id: actor.id, view: { type: 'home', blocks: page!.blocks } });
}

/**
 * Answers a button clicked in the App Home, which has no channel: answers, public or private, go to the
 * person's direct messages with the app (its Messages tab); a card the command updates is updated where it was posted.
 */
export class HomeResponder implements Responder {
  private readonly followUps: SlackFollowUps = new FollowUpMemory();

  constructor(private readonly options: { client: webApi.WebClient; userId: string; logger: Logger }) {}

  reply(message: Message): Promise<MessageHandle> {
    return postMessage(this.options.client, this.options.userId, message, undefined, this.followUps);
  }

  update(handle: MessageHandle, message: Message): Promise<void> {
    return updateMessage(this.options.client, handle, message, this.followUps);
  }

  async replyPrivately(message: Message): Promise<void> {
    await postMessage(this.options.client, this.options.userId, message);
  }
}
