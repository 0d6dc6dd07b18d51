import type { AppHomeOpenedFields, BlockActionFields, HomeActionFields, JsonObject, PublishedView, SlashCommandFields } from './types.js';
import type { Workspace } from './workspace.js';

/** What a payload builder needs from the fake besides the workspace. */
export interface PayloadContext {
  workspace: Workspace;
  responseUrl: string;
  triggerId: string;
  actionTs: string;
}

/** A slash command payload as Slack sends it (Socket Mode payload or HTTP form fields). */
export function slashCommandPayload(fields: SlashCommandFields, context: PayloadContext): Record<string, string> {
  const { workspace } = context;
  const payload: Record<string, string> = {
    token: 'verification-token-unused',
    team_id: workspace.teamId,
    team_domain: workspace.teamDomain,
    channel_id: 'C0OPS',
    channel_name: 'ops',
    user_id: 'U0ALICE',
    user_name: 'alice',
    command: '/maint',
    api_app_id: workspace.appId,
    is_enterprise_install: 'false',
    response_url: context.responseUrl,
    trigger_id: context.triggerId,
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) payload[key] = value;
  }
  return payload;
}

/** The message that holds the clicked button, as resolved by the fake's channel history. */
export interface ClickedMessage {
  ts: string;
  text: string | undefined;
  blocks: unknown[] | undefined;
}

/** A `block_actions` payload for a button click, as Slack sends it. */
export function blockActionPayload(fields: BlockActionFields, message: ClickedMessage, context: PayloadContext): JsonObject {
  const { workspace } = context;
  const userId = fields.user_id ?? 'U0ALICE';
  const userName = fields.user_name ?? 'alice';
  const channelId = fields.channel_id ?? 'C0OPS';
  return {
    type: 'block_actions',
    user: { id: userId, username: userName, name: userName, team_id: workspace.teamId },
    api_app_id: workspace.appId,
    token: 'verification-token-unused',
    container: { type: 'message', message_ts: message.ts, channel_id: channelId, is_ephemeral: false },
    trigger_id: fields.trigger_id ?? context.triggerId,
    team: { id: workspace.teamId, domain: workspace.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channelId, name: fields.channel_name ?? 'ops' },
    message: {
      type: 'message',
      user: workspace.botUserId,
      bot_id: workspace.botId,
      app_id: workspace.appId,
      team: workspace.teamId,
      ts: message.ts,
      text: message.text ?? '',
      blocks: message.blocks ?? [],
    },
    state: { values: {} },
    response_url: fields.response_url ?? context.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: fields.action_id ?? 'approve',
        block_id: fields.block_id ?? 'actions',
        text: { type: 'plain_text', text: fields.button_text ?? 'Approve', emoji: true },
        value: fields.value ?? '',
        action_ts: context.actionTs,
      },
    ],
  };
}

/** An `events_api` envelope payload with an `app_home_opened` event, as Slack sends it. */
export function appHomeOpenedPayload(fields: AppHomeOpenedFields, view: PublishedView | undefined, context: PayloadContext & { eventId: string }): JsonObject {
  const { workspace } = context;
  const userId = fields.user_id ?? 'U0ALICE';
  return {
    token: 'verification-token-unused',
    team_id: workspace.teamId,
    api_app_id: workspace.appId,
    event: {
      type: 'app_home_opened',
      user: userId,
      channel: `D0${userId.slice(2)}`,
      tab: fields.tab ?? 'home',
      event_ts: context.actionTs,
      ...(view ? { view: { id: view.id, team_id: workspace.teamId, type: 'home', blocks: view.blocks } } : {}),
    },
    type: 'event_callback',
    event_id: context.eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: workspace.teamId, user_id: workspace.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

/** A `block_actions` payload for a button clicked in a person's App Home: the container is the view, and there is no channel, message or response_url. */
export function homeActionPayload(fields: HomeActionFields, view: PublishedView, button: { action_id: string; value: string; block_id: string }, context: PayloadContext): JsonObject {
  const { workspace } = context;
  const userId = fields.user_id ?? view.userId;
  const userName = fields.user_name ?? 'alice';
  return {
    type: 'block_actions',
    user: { id: userId, username: userName, name: userName, team_id: workspace.teamId },
    api_app_id: workspace.appId,
    token: 'verification-token-unused',
    container: { type: 'view', view_id: view.id },
    trigger_id: context.triggerId,
    team: { id: workspace.teamId, domain: workspace.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    view: {
      id: view.id,
      team_id: workspace.teamId,
      type: 'home',
      blocks: view.blocks,
      private_metadata: '',
      callback_id: '',
      state: { values: {} },
      hash: `${view.version}.fakehash`,
      title: { type: 'plain_text', text: 'View Title' },
      close: null,
      submit: null,
      previous_view_id: null,
      root_view_id: view.id,
      app_id: workspace.appId,
      external_id: '',
      app_installed_team_id: workspace.teamId,
      bot_id: workspace.botId,
    },
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: button.block_id,
        text: { type: 'plain_text', text: fields.button_text, emoji: true },
        value: button.value,
        action_ts: context.actionTs,
      },
    ],
  };
}
