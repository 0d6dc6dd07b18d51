import { randomUUID } from 'node:crypto';
import type { App, BlockButtonAction, RespondFn, SlashCommand, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CommandHandler } from '../../core/chat.js';
import type { HomeSource } from '../../core/home.js';
import type { Invocation } from '../../core/invocation.js';
import { notice } from '../../core/report.js';
import type { Responder } from '../../core/responder.js';
import type { SlackActors } from './actors.js';
import { AfterAck } from '../after-ack.js';
import { HomeResponder, publishHome } from './app-home.js';
import { ButtonResponder } from './button-responder.js';
import { toHandle } from './message-handle.js';
import { SlashCommandResponder } from './slash-command-responder.js';

/** What the listeners hand each command to. */
export interface ListenerDependencies {
  handler: CommandHandler;
  actors: SlackActors;
  logger: Logger;
  fallbackAckMs?: number;
  /** The App Home of each person; absent: the app_home_opened event is not listened to. */
  home?: HomeSource;
}

const somethingWentWrong = notice('error', "Something went wrong before that command could run. The details are in the bot's log.");

/**
 * Every slash command of this app (`/maint` in the manifest) and every button click, in a channel or in the
 * App Home, enter the command handler; opening the App Home publishes the person's home, and so does a click there.
 */
export function registerListeners(app: App, deps: ListenerDependencies): void {
  const afterAck = new AfterAck();
  app.command(/^\/.+/, async ({ command, ack, respond, client }) => {
    const receivedAt = new Date();
    await ack().catch((error: unknown) => deps.logger.error({ err: error }, 'could not acknowledge a slash command'));
    afterAck.defer(() => answerSlashCommand(deps, { command, respond, client, receivedAt }));
  });

  const home = deps.home;
  if (home) {
    app.event('app_home_opened', async ({ event, client }) => {
      if (event.tab !== 'home') return;
      await refreshHome(client, home, deps, event.user);
    });
  }

  app.action<BlockButtonAction>({ type: 'block_actions' }, async ({ ack, body, action, respond, client }) => {
    await ack();
    if (action.type !== 'button' || !action.value) return;
    if (body.view?.type === 'home') {
      const userId = body.user.id;
      const responder = new HomeResponder({ client, userId, logger: deps.logger });
      await run(deps, responder, async () => ({
        id: randomUUID(),
        platform: 'slack',
        actor: await deps.actors.resolve(userId, body.user.name ?? body.user.username),
        channel: { id: userId, name: 'App Home' },
        text: action.value!.trim(),
        origin: 'button',
        receivedAt: new Date(),
      }));
      if (home) await refreshHome(client, home, deps, userId);
      return;
    }
    const channel = body.channel?.id ?? body.container.channel_id;
    const messageTs: unknown = body.message?.ts ?? body.container.message_ts;
    const clicked = typeof channel === 'string' && typeof messageTs === 'string' && body.container.is_ephemeral !== true ? toHandle({ channel, ts: messageTs }) : undefined;
    if (typeof channel !== 'string') {
      deps.logger.warn({ action: action.action_id }, 'a button click without a channel was ignored');
      return;
    }
    const responder = new ButtonResponder({ client, channel, clicked, respond, logger: deps.logger });
    await run(deps, responder, async () => ({
      id: randomUUID(),
      platform: 'slack',
      actor: await deps.actors.resolve(body.user.id, body.user.name ?? body.user.username),
      channel: { id: channel, name: body.channel?.name },
      text: action.value!.trim(),
      origin: 'button',
      receivedAt: new Date(),
      ...(clicked ? { sourceMessage: clicked } : {}),
    }));
  });
}

/**
 * Everything a slash command does after its acknowledgement: who asked, the router, the answers. It runs on a
 * later turn of the event loop (`AfterAck`), so acknowledging the other commands of a burst never waits for it.
 */
async function answerSlashCommand(
  deps: ListenerDependencies,
  { command, respond, client, receivedAt }: { command: SlashCommand; respond: RespondFn; client: webApi.WebClient; receivedAt: Date },
): Promise<void> {
  const responder = new SlashCommandResponder({ client, channel: command.channel_id, respond, logger: deps.logger, fallbackAckMs: deps.fallbackAckMs });
  await run(deps, responder, async () => ({
    id: randomUUID(),
    platform: 'slack',
    actor: await deps.actors.resolve(command.user_id, command.user_name),
    channel: { id: command.channel_id, name: command.channel_name },
    text: command.text.trim(),
    origin: 'typed',
    receivedAt,
  }));
  responder.finish();
}

async function refreshHome(client: webApi.WebClient, home: HomeSource, deps: ListenerDependencies, userId: string): Promise<void> {
  try {
    await publishHome(client, home, await deps.actors.resolve(userId, undefined));
  } catch (error) {
    deps.logger.error({ err: error, user: userId }, 'could not publish the App Home');
  }
}

async function run(deps: ListenerDependencies, responder: Responder, invocation: () => Promise<Invocation>): Promise<void> {
  try {
    await deps.handler.handle(await invocation(), responder);
  } catch (error) {
    deps.logger.error({ err: error }, 'a Slack command failed outside the router');
    await responder.replyPrivately(somethingWentWrong).catch((sendError: unknown) => deps.logger.error({ err: sendError }, 'could not tell the requester'));
  }
}
