import { defineChat } from '../../core/chat.js';
import { slackGrantSchema, slackNotifySchema, slackSettingsSchema } from './settings.js';

/** Slack over Socket Mode or HTTP, on Bolt; Bolt loads only when Slack starts. */
export const slackChat = defineChat({
  platform: 'slack',
  reach: 'network',
  settingsSchema: slackSettingsSchema,
  grantSchema: slackGrantSchema,
  notifySchema: slackNotifySchema,
  environment: { SLACK_BOT_TOKEN: 'bot_token', SLACK_APP_TOKEN: 'app_token', SLACK_SIGNING_SECRET: 'signing_secret', SLACK_API_URL: 'api_url' },
  redactPaths: ['*.bot_token', '*.app_token', '*.signing_secret', 'config.chat.slack.bot_token', 'config.chat.slack.app_token', 'config.chat.slack.signing_secret'],
  howToEnable: 'for Slack export SLACK_BOT_TOKEN and SLACK_APP_TOKEN (docs/connect-slack.md)',
  enabled: (settings) => (settings.enabled === 'auto' ? (settings.bot_token !== undefined ? 'on' : 'off') : settings.enabled),
  grants: (grant, identity) => grant.users.includes(identity.userId) || grant.groups.some((group) => identity.groupIds?.includes(group) === true),
  start: async ({ settings, access, handler, logger, home }) => {
    const { startSlackChat } = await import('./slack-chat.js');
    return startSlackChat({ handler, settings, access, logger, ...(home ? { home } : {}) });
  },
});
