import { userInfo } from 'node:os';
import { defineChat, type RunningChat } from '../../core/chat.js';
import { runConsoleChat } from './console-chat.js';
import { ConsolePort } from './console-port.js';
import { ConsoleResponder } from './console-responder.js';
import { consoleGrantSchema, consoleSettingsSchema } from './settings.js';

/** The terminal chat: `/maint` typed on standard input, answers on standard output, as the OS user. */
export const consoleChat = defineChat({
  platform: 'console',
  reach: 'terminal',
  settingsSchema: consoleSettingsSchema,
  grantSchema: consoleGrantSchema,
  environment: {},
  redactPaths: [],
  howToEnable: 'for the terminal chat set chat.console.enabled: auto',
  enabled: (settings) => (settings.enabled === 'auto' ? 'fallback' : settings.enabled),
  grants: (grant, identity) => grant.users.includes(identity.userId),
  start: async ({ settings, access, handler, terminal }): Promise<RunningChat> => {
    const user = userInfo().username;
    return {
      port: new ConsolePort(terminal.output, terminal.colour),
      connected: () => true,
      converse: () =>
        runConsoleChat(handler, {
          input: terminal.input,
          output: terminal.output,
          interactive: terminal.interactive,
          actor: { id: user, name: user, roles: access.rolesOf({ userId: user }, settings.roles) },
          responder: new ConsoleResponder(terminal.output, terminal.colour),
        }),
      stop: async () => undefined,
    };
  },
});
