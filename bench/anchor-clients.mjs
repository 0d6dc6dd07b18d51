// The memory anchor: a bare Bolt app over Socket Mode (answering /maint with a plain ack) and a bare discord.js
// client on the gateway (Guilds intent), in one compiled-JavaScript process, connected to the fakes named by
// ANCHOR_SLACK_API_URL, ANCHOR_DISCORD_API and ANCHOR_DISCORD_TOKEN; sends { type: 'ready' } over IPC once both are.
import { once } from 'node:events';
import process from 'node:process';
import bolt from '@slack/bolt';
import { Client, Events, GatewayIntentBits } from 'discord.js';

const slack = new bolt.App({
  token: 'xoxb-anchor',
  appToken: 'xapp-anchor',
  socketMode: true,
  logLevel: bolt.LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.ANCHOR_SLACK_API_URL },
});
slack.command('/maint', async ({ ack }) => ack('ok'));

const discord = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: process.env.ANCHOR_DISCORD_API } });
discord.on(Events.InteractionCreate, (interaction) => {
  if (interaction.isChatInputCommand()) void interaction.reply({ content: 'ok' }).catch(() => undefined);
});

const ready = once(discord, Events.ClientReady);
await Promise.all([slack.start(), discord.login(process.env.ANCHOR_DISCORD_TOKEN), ready]);
process.send?.({ type: 'ready' });
process.once('SIGTERM', () => void Promise.allSettled([slack.stop(), discord.destroy()]).then(() => process.exit(0)));
