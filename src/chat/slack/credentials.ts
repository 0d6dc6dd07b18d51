import { webApi } from '@slack/bolt';
import { UserError } from '../../core/errors.js';
import type { SlackSettings } from './settings.js';
import { slackErrorCode } from './slack-api.js';

/** The tokens one Slack mode needs, checked to be present. */
export type SlackCredentials =
  | { mode: 'socket'; botToken: string; appToken: string }
  | { mode: 'http'; botToken: string; signingSecret: string };

/** The tokens for the configured mode, or a `UserError` that says which variable to set. */
export function requireCredentials(settings: SlackSettings): SlackCredentials {
  if (!settings.bot_token) throw new UserError('Slack: SLACK_BOT_TOKEN is needed (the xoxb-… token from OAuth & Permissions after installing the app).');
  if (settings.mode === 'http') {
    if (!settings.signing_secret) {
      throw new UserError('Slack: SLACK_SIGNING_SECRET is needed for HTTP mode (or set chat.slack.mode: socket with SLACK_APP_TOKEN).');
    }
    return { mode: 'http', botToken: settings.bot_token, signingSecret: settings.signing_secret };
  }
  if (!settings.app_token) {
    throw new UserError('Slack: SLACK_APP_TOKEN is needed for Socket Mode (or set chat.slack.mode: http with SLACK_SIGNING_SECRET).');
  }
  if (!settings.app_token.startsWith('xapp-')) {
    throw new UserError('Slack: SLACK_APP_TOKEN must be an app-level token (xapp-…, from Basic Information → App-Level Tokens, scope connections:write).');
  }
  return { mode: 'socket', botToken: settings.bot_token, appToken: settings.app_token };
}

/** Who the bot is, as auth.test says. */
export interface BotIdentity {
  botId: string;
  botUserId: string;
}

/** Checks the bot token with auth.test, once and without retries; a refusal is a `UserError` naming the cause. */
export async function verifyBotToken(botToken: string, clientOptions: webApi.WebClientOptions): Promise<BotIdentity> {
  const client = new webApi.WebClient(botToken, { ...clientOptions, retryConfig: { retries: 0 }, timeout: 10_000 });
  const where = clientOptions.slackApiUrl ?? 'https://slack.com/api/';
  try {
    const answer = await client.auth.test();
    return { botId: answer.bot_id ?? '', botUserId: answer.user_id ?? '' };
  } catch (error) {
    const code = slackErrorCode(error);
    if (code) throw new UserError(`Slack: auth.test refused SLACK_BOT_TOKEN (${code}). Copy the Bot User OAuth Token (xoxb-…) of the installed app.`);
    throw new UserError(`Slack: cannot reach the Slack API at ${where} (${networkCause(error)}). Check the network or SLACK_API_URL.`);
  }
}

/** The innermost system error code (ECONNREFUSED, ENOTFOUND…) under a Web API request error. */
function networkCause(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, original, cause } = current as { code?: unknown; original?: unknown; cause?: unknown };
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = original ?? cause;
  }
  return error instanceof Error ? error.message : String(error);
}
