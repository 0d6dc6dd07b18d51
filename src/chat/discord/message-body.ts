/** One embed field as Discord takes it. */
export interface EmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

/** An embed as Discord takes it; only the parts maintbot uses. */
export interface Embed {
  title?: string;
  description?: string;
  color?: number;
  fields?: EmbedField[];
  footer?: { text: string };
}

/** A button that carries a command in its `custom_id`. */
export interface ButtonComponent {
  type: 2;
  /** 2 secondary, 3 success, 4 danger. */
  style: 2 | 3 | 4;
  label: string;
  custom_id: string;
}

/** A link-style button: Discord opens `url`, and the bot gets no interaction. */
export interface LinkButtonComponent {
  type: 2;
  style: 5;
  label: string;
  url: string;
}

/** A row of at most five buttons. */
export interface ActionRow {
  type: 1;
  components: (ButtonComponent | LinkButtonComponent)[];
}

/**
 * The body of a Discord message as maintbot sends it, for a create or an edit: every part is always
 * present (content may be empty) so an edit replaces what an earlier render showed.
 */
export interface DiscordMessageBody {
  content: string;
  embeds: Embed[];
  components: ActionRow[];
  /** Only on a message that mentions: exactly the roles and users it pings. */
  allowed_mentions?: AllowedMentions;
}

/** Whom a message may notify; with `parse` empty, only the ids listed. */
export interface AllowedMentions {
  parse: [];
  roles: string[];
  users: string[];
}

/** Discord's documented size limits for messages, embeds and components. */
export const discordLimits = {
  content: 2000,
  embedsPerMessage: 10,
  fieldsPerEmbed: 25,
  charactersInAllEmbeds: 6000,
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  buttonsPerRow: 5,
  rowsPerMessage: 5,
  buttonLabel: 80,
  customId: 100,
  buttonUrl: 512,
} as const;

/** Cuts text to `max` characters, ending in "…" when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The characters of an embed that count towards Discord's 6000-character total. */
export function embedSize(embed: Embed): number {
  const fields = (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0);
  return (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + fields;
}
