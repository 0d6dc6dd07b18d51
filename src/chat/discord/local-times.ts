import { formatTimes, utcTime } from '../../core/time.js';
import { discordLimits as limits, embedSize, type DiscordMessageBody, type Embed } from './message-body.js';

/** A moment as Discord shows it in each reader's own time zone and locale, e.g. "15 January 2026 14:05". */
export function discordTimestamp(at: Date): string {
  return `<t:${Math.floor(at.getTime() / 1000)}:f>`;
}

/**
 * Resolves the moments of a rendered body: `<t:…:f>` where Discord renders it (content, embed
 * descriptions, field values), UTC where it does not (titles, field names, footers, buttons). A part the
 * longer markup would push past its limit keeps UTC, and so does every part when the embeds would pass
 * their shared limit.
 */
export function withLocalTimes(body: DiscordMessageBody): DiscordMessageBody {
  const local = resolveBody(body, true);
  return local.embeds.reduce((sum, embed) => sum + embedSize(embed), 0) <= limits.charactersInAllEmbeds ? local : resolveBody(body, false);
}

function resolveBody(body: DiscordMessageBody, localTimes: boolean): DiscordMessageBody {
  const plain = (text: string): string => formatTimes(text, utcTime);
  const rich = (text: string, max: number): string => {
    const local = localTimes ? formatTimes(text, discordTimestamp) : plain(text);
    return local.length <= max ? local : plain(text);
  };
  return {
    ...body,
    content: rich(body.content, limits.content),
    embeds: body.embeds.map((embed): Embed => ({
      ...embed,
      ...(embed.title !== undefined && { title: plain(embed.title) }),
      ...(embed.description !== undefined && { description: rich(embed.description, limits.description) }),
      ...(embed.fields && { fields: embed.fields.map((field) => ({ ...field, name: plain(field.name), value: rich(field.value, limits.fieldValue) })) }),
      ...(embed.footer && { footer: { text: plain(embed.footer.text) } }),
    })),
    components: body.components.map((row) => ({ ...row, components: row.components.map((button) => ({ ...button, label: plain(button.label) })) })),
  };
}
