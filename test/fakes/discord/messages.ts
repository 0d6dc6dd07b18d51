import { userJson } from './fixtures.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { ComponentJson, EmbedJson, FakeMessage, FakeUser, JsonValue } from './types.js';

/** Message flag bits the fake pays attention to. */
export const MessageFlag = { Ephemeral: 64, Loading: 128 } as const;

/** Who a new message is from and what it answers. */
export interface MessageOrigin {
  channelId: string;
  guildId: string | undefined;
  /** Set for interaction responses and follow-ups (Discord marks them with the webhook id). */
  webhookId?: string;
  /** Message type: 0 default, 20 chat-input command response. */
  type?: number;
}

function asObject(value: JsonValue | null | undefined): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function hasCustomId(components: readonly ComponentJson[], customId: string): boolean {
  return components.some(
    (component) => component.custom_id === customId || hasCustomId(component.components ?? [], customId),
  );
}

/** Every message the bot created through the fake, editable by id. */
export class MessageStore {
  readonly #messages = new Map<string, FakeMessage>();

  constructor(
    private readonly ids: SnowflakeGenerator,
    private readonly author: FakeUser,
  ) {}

  create(origin: MessageOrigin, body: JsonValue | null): FakeMessage {
    const fields = asObject(body);
    const message: FakeMessage = {
      id: this.ids.next(),
      type: origin.type ?? 0,
      channel_id: origin.channelId,
      author: userJson(this.author),
      content: typeof fields.content === 'string' ? fields.content : '',
      embeds: Array.isArray(fields.embeds) ? (fields.embeds as EmbedJson[]) : [],
      components: Array.isArray(fields.components) ? (fields.components as ComponentJson[]) : [],
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      flags: typeof fields.flags === 'number' ? fields.flags : 0,
    };
    if (origin.guildId !== undefined) message.guild_id = origin.guildId;
    if (origin.webhookId !== undefined) {
      message.webhook_id = origin.webhookId;
      message.application_id = origin.webhookId;
    }
    this.#messages.set(message.id, message);
    return message;
  }

  /** Applies an edit body the way Discord does: only the fields present change. */
  update(id: string, body: JsonValue | null): FakeMessage | undefined {
    const message = this.#messages.get(id);
    if (!message) return undefined;
    const fields = asObject(body);
    if (typeof fields.content === 'string' || fields.content === null) message.content = fields.content ?? '';
    if (Array.isArray(fields.embeds)) message.embeds = fields.embeds as EmbedJson[];
    if (Array.isArray(fields.components)) message.components = fields.components as ComponentJson[];
    if (Array.isArray(fields.attachments)) message.attachments = fields.attachments;
    const requestedFlags = typeof fields.flags === 'number' ? fields.flags : message.flags;
    message.flags = (requestedFlags | (message.flags & MessageFlag.Ephemeral)) & ~MessageFlag.Loading;
    message.edited_timestamp = new Date().toISOString();
    return message;
  }

  get(id: string): FakeMessage | undefined {
    return this.#messages.get(id);
  }

  delete(id: string): boolean {
    return this.#messages.delete(id);
  }

  all(channelId?: string): FakeMessage[] {
    const messages = [...this.#messages.values()];
    return channelId === undefined ? messages : messages.filter((m) => m.channel_id === channelId);
  }

  /** The newest message carrying a component with this custom_id. */
  latestWithCustomId(customId: string): FakeMessage | undefined {
    return this.all()
      .reverse()
      .find((message) => hasCustomId(message.components, customId));
  }
}
