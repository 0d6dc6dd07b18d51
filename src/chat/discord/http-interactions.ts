import {
  ApplicationCommandType,
  ComponentType,
  InteractionResponseType,
  InteractionType,
  SnowflakeUtil,
  type APIInteraction,
  type REST,
} from 'discord.js';
import { autocompleteChoices, handleButton, handleCommand, type InteractionContext, type InteractionSource, type ReceivedOption } from './interaction-handlers.js';
import { webhookTransport, type Respond } from './webhook-transport.js';

/**
 * Answers verified HTTP interactions as the gateway mode answers discord.js's: `/maint` commands and button
 * clicks through the router (initial response in the request's answer, the rest over the interaction webhook),
 * autocomplete with its choices. Any other interaction is left unanswered (the server answers 500).
 */
export function httpInteractionHandler(rest: REST, context: InteractionContext): (interaction: APIInteraction, respond: Respond) => Promise<void> {
  return async (interaction, respond) => {
    const source = sourceOf(interaction);
    const logger = context.logger.child({ interaction: interaction.id, user: source?.userId });
    if (!source) return;
    const transport = (): ReturnType<typeof webhookTransport> =>
      webhookTransport({ id: interaction.id, token: interaction.token, applicationId: interaction.application_id, channelId: source.channelId }, rest, respond);
    if (interaction.type === InteractionType.ApplicationCommand && interaction.data.type === ApplicationCommandType.ChatInput && interaction.data.name === 'maint') {
      await handleCommand(source, (interaction.data.options ?? []) as readonly ReceivedOption[], transport(), context, logger);
    } else if (interaction.type === InteractionType.MessageComponent && interaction.data.component_type === ComponentType.Button) {
      await handleButton(source, interaction.data.custom_id, interaction.message.id, transport(), context, logger);
    } else if (interaction.type === InteractionType.ApplicationCommandAutocomplete && interaction.data.name === 'maint') {
      const choices = autocompleteChoices((interaction.data.options ?? []) as readonly ReceivedOption[], context);
      await respond({ type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } });
    }
  };
}

/** Who acted and where, from the interaction's JSON; undefined for one without a user or a channel. */
function sourceOf(interaction: APIInteraction): InteractionSource | undefined {
  const member = interaction.member;
  const user = member?.user ?? interaction.user;
  const channelId = interaction.channel?.id ?? interaction.channel_id;
  if (!user || !channelId) return undefined;
  const channelName = interaction.channel && 'name' in interaction.channel && typeof interaction.channel.name === 'string' ? interaction.channel.name : undefined;
  return {
    userId: user.id,
    userName: member?.nick ?? user.global_name ?? user.username,
    roleIds: member?.roles ?? [],
    channelId,
    ...(channelName ? { channelName } : {}),
    createdAt: new Date(SnowflakeUtil.timestampFrom(interaction.id)),
  };
}
