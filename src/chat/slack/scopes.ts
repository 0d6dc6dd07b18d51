/**
 * Every Slack Web API method the adapter calls, with the bot scopes it needs (`chat:write.public` lets
 * chat.postMessage post in public channels the bot was not invited to). `config/slack-app-manifest.yaml`
 * asks for exactly these and `slackReceivedScopes` (test/unit/slack-manifest.test.ts checks both ways).
 */
export const slackMethodScopes: Readonly<Record<string, readonly string[]>> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'usergroups.users.list': ['usergroups:read'],
  'views.publish': [],
};

/** Scopes for what Slack sends the app rather than a method it calls: the `/maint` slash command. */
export const slackReceivedScopes: readonly string[] = ['commands'];
