import { InteractionResponseType, MessageFlags, Routes, SnowflakeUtil, type APIMessage, type REST } from 'discord.js';
import { creationBody } from './chat-port.js';
import { withAllowedMentions } from './message-body.js';
import type { InteractionTransport, SentMessage } from './interaction-transport.js';

/** The body of an HTTP interaction request's answer: Discord's interaction response object. */
export interface InteractionResponse {
  type: InteractionResponseType;
  data?: Record<string, unknown>;
}

/** Sends the HTTP request's answer and resolves once it is written; throws when the request was answered already. */
export type Respond = (response: InteractionResponse) => Promise<void>;

/** The interaction as its webhook knows it. */
export interface WebhookInteraction {
  id: string;
  token: string;
  applicationId: string;
  channelId: string;
}

/**
 * Answers an HTTP interaction: the initial response is the answer to Discord's request (`respond`); edits,
 * follow-ups and deletions go over REST to the interaction webhook (`/webhooks/{application}/{token}…`, which
 * needs no bot token), so whichever replica received the interaction finishes it.
 */
export function webhookTransport(interaction: WebhookInteraction, rest: REST, respond: Respond): InteractionTransport {
  const { applicationId, token } = interaction;
  const flagged = (ephemeral: boolean): { flags?: MessageFlags.Ephemeral } => (ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  const sent = (message: unknown): SentMessage => {
    const { id, channel_id: channelId } = message as APIMessage;
    return { id, channelId };
  };
  return {
    channelId: interaction.channelId,
    createdTimestamp: SnowflakeUtil.timestampFrom(interaction.id),
    reply: (body, { ephemeral }) => respond({ type: InteractionResponseType.ChannelMessageWithSource, data: { ...creationBody(body), ...flagged(ephemeral) } }),
    deferReply: ({ ephemeral }) => respond({ type: InteractionResponseType.DeferredChannelMessageWithSource, ...(ephemeral ? { data: flagged(true) } : {}) }),
    deferUpdate: () => respond({ type: InteractionResponseType.DeferredMessageUpdate }),
    editReply: async (body, messageId) => sent(await rest.patch(Routes.webhookMessage(applicationId, token, messageId), { body: withAllowedMentions(body), auth: false })),
    followUp: async (body, { ephemeral }) =>
      sent(await rest.post(Routes.webhook(applicationId, token), { body: { ...creationBody(body), ...flagged(ephemeral) }, query: new URLSearchParams({ wait: 'true' }), auth: false })),
    deleteReply: async (messageId) => {
      await rest.delete(Routes.webhookMessage(applicationId, token, messageId), { auth: false });
    },
  };
}
