import { defineChat } from '../../core/chat.js';
import { UserError } from '../../core/errors.js';
import { discordGrantSchema, discordNotifySchema, discordSettingsSchema } from './settings.js';

/** Discord over the gateway or over HTTP interactions, on discord.js; discord.js loads only when Discord starts. */
export const discordChat = defineChat({
  platform: 'discord',
  reach: 'network',
  settingsSchema: discordSettingsSchema,
  grantSchema: discordGrantSchema,
  notifySchema: discordNotifySchema,
  environment: { DISCORD_TOKEN: 'token', DISCORD_APPLICATION_ID: 'application_id', DISCORD_API_URL: 'api_url', DISCORD_PUBLIC_KEY: 'public_key' },
  redactPaths: ['config.chat.discord.token'],
  howToEnable: 'for Discord export DISCORD_TOKEN and DISCORD_APPLICATION_ID (docs/connect-discord.md)',
  enabled: (settings) => (settings.enabled === 'auto' ? (settings.token !== undefined ? 'on' : 'off') : settings.enabled),
  grants: (grant, identity) => grant.users.includes(identity.userId) || grant.roles.some((role) => identity.groupIds?.includes(role) === true),
  start: async ({ settings, access, handler, commands, completions, logger }) => {
    const { startDiscordChat, DiscordStartError } = await import('./discord-chat.js');
    try {
      return await startDiscordChat({ handler, commands, completions, settings, access, logger });
    } catch (error) {
      if (error instanceof DiscordStartError) throw new UserError(error.message);
      throw error;
    }
  },
});
