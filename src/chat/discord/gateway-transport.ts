import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type InteractionEditReplyOptions, type InteractionReplyOptions, type MessageMentionOptions } from 'discord.js';
import type { InteractionTransport, SentMessage } from './interaction-transport.js';
import { withAllowedMentions, type DiscordMessageBody } from './message-body.js';

/** Answers an interaction that arrived on the gateway through discord.js's own interaction methods. */
export function gatewayTransport(interaction: ChatInputCommandInteraction | ButtonInteraction): InteractionTransport {
  const flagged = (ephemeral: boolean): { flags?: MessageFlags.Ephemeral } => (ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  const sent = (message: { id: string; channelId: string }): SentMessage => ({ id: message.id, channelId: message.channelId });
  return {
    channelId: interaction.channelId,
    createdTimestamp: interaction.createdTimestamp,
    reply: async (body, { ephemeral }) => {
      await interaction.reply({ ...discordJsOptions(body), ...flagged(ephemeral) } as InteractionReplyOptions);
    },
    deferReply: async ({ ephemeral }) => {
      await (ephemeral ? interaction.deferReply(flagged(true)) : interaction.deferReply());
    },
    deferUpdate: async () => {
      if (!interaction.isButton()) throw new Error('only a button click can defer an update');
      await interaction.deferUpdate();
    },
    editReply: async (body, messageId) => {
      const options = discordJsOptions(body);
      return sent(await interaction.editReply((messageId === undefined ? options : { ...options, message: messageId }) as InteractionEditReplyOptions));
    },
    followUp: async (body, { ephemeral }) => sent(await interaction.followUp({ ...discordJsOptions(body), ...flagged(ephemeral) } as InteractionReplyOptions)),
    deleteReply: (messageId) => interaction.deleteReply(messageId),
  };
}

/**
 * A message body in the REST API's shape as discord.js's interaction methods take it: they read
 * `allowedMentions` (and send it as `allowed_mentions`) and drop an `allowed_mentions` key; content, embeds
 * and components pass through as API JSON.
 */
function discordJsOptions(body: Partial<DiscordMessageBody>): Omit<Partial<DiscordMessageBody>, 'allowed_mentions'> & { allowedMentions?: MessageMentionOptions } {
  const { allowed_mentions: allowedMentions, ...rest } = withAllowedMentions(body);
  return { ...rest, allowedMentions };
}
