import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction, type InteractionEditReplyOptions, type InteractionReplyOptions } from 'discord.js';
import type { InteractionTransport, SentMessage } from './interaction-transport.js';

/** Answers an interaction that arrived on the gateway through discord.js's own interaction methods. */
export function gatewayTransport(interaction: ChatInputCommandInteraction | ButtonInteraction): InteractionTransport {
  const flagged = (ephemeral: boolean): { flags?: MessageFlags.Ephemeral } => (ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  const sent = (message: { id: string; channelId: string }): SentMessage => ({ id: message.id, channelId: message.channelId });
  return {
    channelId: interaction.channelId,
    createdTimestamp: interaction.createdTimestamp,
    reply: async (body, { ephemeral }) => {
      await interaction.reply({ ...body, ...flagged(ephemeral) } as InteractionReplyOptions);
    },
    deferReply: async ({ ephemeral }) => {
      await (ephemeral ? interaction.deferReply(flagged(true)) : interaction.deferReply());
    },
    deferUpdate: async () => {
      if (!interaction.isButton()) throw new Error('only a button click can defer an update');
      await interaction.deferUpdate();
    },
    editReply: async (body, messageId) => sent(await interaction.editReply((messageId === undefined ? body : { ...body, message: messageId }) as InteractionEditReplyOptions)),
    followUp: async (body, { ephemeral }) => sent(await interaction.followUp({ ...body, ...flagged(ephemeral) } as InteractionReplyOptions)),
    deleteReply: (messageId) => interaction.deleteReply(messageId),
  };
}
