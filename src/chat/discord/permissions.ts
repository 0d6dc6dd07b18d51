/** One Discord permission the bot uses: its name in discord.js's `PermissionFlagsBits`, its bit, and what needs it. */
export interface DiscordPermission {
  name: string;
  /** As the Discord UI names it. */
  label: string;
  bit: bigint;
  why: string;
}

/**
 * Every permission the bot needs in the channels it posts in; the invite URL in docs/connect-discord.md
 * grants exactly these (test/unit/discord-permissions.test.ts decodes it).
 */
export const discordPermissions: readonly DiscordPermission[] = [
  { name: 'ViewChannel', label: 'View Channels', bit: 1n << 10n, why: 'see the channels schedules and alerts post in' },
  { name: 'SendMessages', label: 'Send Messages', bit: 1n << 11n, why: 'scheduled reports, alerts and the calls for approvers' },
  { name: 'EmbedLinks', label: 'Embed Links', bit: 1n << 14n, why: 'reports, cards and alerts are embeds' },
  { name: 'ReadMessageHistory', label: 'Read Message History', bit: 1n << 16n, why: 'replies (message_reference) under a card call its approvers' },
  { name: 'CreatePublicThreads', label: 'Create Public Threads', bit: 1n << 35n, why: "an alert's thread, where its resolved note goes, and a long report's" },
  { name: 'SendMessagesInThreads', label: 'Send Messages in Threads', bit: 1n << 38n, why: "the resolved notes and a long report's follow-ups in those threads" },
];

/** The permissions integer of the invite URL: every bit of `discordPermissions`. */
export const discordPermissionsInteger: bigint = discordPermissions.reduce((sum, permission) => sum | permission.bit, 0n);
