import type { Config } from './schema.js';

/** The conventional variables read directly, without a `${NAME}` reference in the file. */
export const conventionalVariables = [
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_API_URL',
  'DISCORD_TOKEN',
  'DISCORD_APPLICATION_ID',
  'DISCORD_API_URL',
  'DATABASE_URL',
  'REDIS_URL',
] as const;

/** Fills settings the file leaves empty from the conventional environment variables; the file wins. */
export function applyConventionalVariables(config: Config, env: NodeJS.ProcessEnv): Config {
  const value = (name: (typeof conventionalVariables)[number]): string | undefined => (env[name] ? env[name] : undefined);
  const { slack, discord } = config.chat;
  return {
    ...config,
    chat: {
      ...config.chat,
      slack: {
        ...slack,
        bot_token: slack.bot_token ?? value('SLACK_BOT_TOKEN'),
        app_token: slack.app_token ?? value('SLACK_APP_TOKEN'),
        signing_secret: slack.signing_secret ?? value('SLACK_SIGNING_SECRET'),
        api_url: slack.api_url ?? value('SLACK_API_URL'),
      },
      discord: {
        ...discord,
        token: discord.token ?? value('DISCORD_TOKEN'),
        application_id: discord.application_id ?? value('DISCORD_APPLICATION_ID'),
        api_url: discord.api_url ?? value('DISCORD_API_URL'),
      },
    },
    store: { ...config.store, redis_url: config.store.redis_url ?? value('REDIS_URL') },
    audit: { ...config.audit, database_url: config.audit.database_url ?? value('DATABASE_URL') },
  };
}

/** Which chat surfaces start, after `auto` is resolved. */
export interface EnabledChats {
  slack: boolean;
  discord: boolean;
  console: boolean;
}

/** Resolves `auto`: a platform is on when its credentials are present; the terminal when no platform is on. */
export function enabledChats(config: Config): EnabledChats {
  const { slack, discord, console } = config.chat;
  const slackOn = slack.enabled === 'on' || (slack.enabled === 'auto' && slack.bot_token !== undefined);
  const discordOn = discord.enabled === 'on' || (discord.enabled === 'auto' && discord.token !== undefined);
  const consoleOn = console.enabled === 'on' || (console.enabled === 'auto' && !slackOn && !discordOn);
  return { slack: slackOn, discord: discordOn, console: consoleOn };
}
