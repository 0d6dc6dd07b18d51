import type { FakeChannel, FakeGuild, FakeMember, FakeRole, FakeUser, JsonObject } from './types.js';

const ADMINISTRATOR = 1n << 3n;
const EVERYDAY_PERMISSIONS = (1n << 10n) | (1n << 11n) | (1n << 16n) | (1n << 31n);
const JOINED_AT = '2024-01-01T00:00:00.000000+00:00';

/** Ids of the default fixture, for tests that address its guild, channels, roles and people. */
export const DISCORD_FIXTURE = {
  applicationId: '1100000000000000001',
  guildId: '1200000000000000001',
  channels: { ops: '1300000000000000001', alerts: '1300000000000000002' },
  roles: { sre: '1400000000000000001', dev: '1400000000000000002', lead: '1400000000000000003' },
  users: {
    alice: '1500000000000000001',
    bob: '1500000000000000002',
    carol: '1500000000000000003',
    mallory: '1500000000000000004',
  },
} as const;

/** The bot's own user in the default fixture (its id is the application id, as on Discord). */
export function defaultBotUser(): FakeUser {
  return { id: DISCORD_FIXTURE.applicationId, username: 'maintbot', bot: true };
}

/**
 * One guild "Ops" with channels #ops and #alerts, roles sre, dev and lead, and members
 * alice (sre, lead), bob (sre), carol (dev) and mallory (no role).
 */
export function defaultGuild(): FakeGuild {
  const { guildId, channels, roles, users } = DISCORD_FIXTURE;
  const person = (id: string, username: string): FakeUser => ({ id, username, global_name: username });
  return {
    id: guildId,
    name: 'Ops',
    owner_id: users.alice,
    roles: [
      { id: guildId, name: '@everyone', permissions: EVERYDAY_PERMISSIONS.toString() },
      { id: roles.sre, name: 'sre', permissions: EVERYDAY_PERMISSIONS.toString() },
      { id: roles.dev, name: 'dev', permissions: EVERYDAY_PERMISSIONS.toString() },
      { id: roles.lead, name: 'lead', permissions: (EVERYDAY_PERMISSIONS | ADMINISTRATOR).toString() },
    ],
    channels: [
      { id: channels.ops, name: 'ops' },
      { id: channels.alerts, name: 'alerts' },
    ],
    members: [
      { user: person(users.alice, 'alice'), roles: [roles.sre, roles.lead] },
      { user: person(users.bob, 'bob'), roles: [roles.sre] },
      { user: person(users.carol, 'carol'), roles: [roles.dev] },
      { user: person(users.mallory, 'mallory'), roles: [] },
    ],
  };
}

/** A user object as Discord sends it. */
export function userJson(user: FakeUser): JsonObject {
  return {
    id: user.id,
    username: user.username,
    discriminator: '0',
    global_name: user.global_name ?? null,
    avatar: null,
    bot: user.bot ?? false,
    system: false,
    public_flags: 0,
    flags: 0,
  };
}

/** The combined permission bits of a member's roles, @everyone included, as a decimal string. */
export function memberPermissions(guild: FakeGuild, roleIds: readonly string[]): string {
  const held = new Set([guild.id, ...roleIds]);
  const bits = guild.roles
    .filter((role) => held.has(role.id))
    .reduce((sum, role) => sum | BigInt(role.permissions), 0n);
  return (bits & ADMINISTRATOR ? (1n << 53n) - 1n : bits).toString();
}

/** A guild member object; `withPermissions` adds the field that only interactions carry. */
export function memberJson(guild: FakeGuild, member: FakeMember, withPermissions: boolean): JsonObject {
  const json: JsonObject = {
    user: userJson(member.user),
    roles: [...member.roles],
    nick: null,
    avatar: null,
    joined_at: JOINED_AT,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
  if (withPermissions) json.permissions = memberPermissions(guild, member.roles);
  return json;
}

function roleJson(role: FakeRole, position: number): JsonObject {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position,
    permissions: role.permissions,
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

/** A guild channel or thread object as REST returns it. */
export function channelJson(guildId: string, channel: FakeChannel, position = 0): JsonObject {
  const type = channel.type ?? 0;
  const json: JsonObject = {
    id: channel.id,
    type,
    guild_id: guildId,
    name: channel.name,
    position,
    parent_id: channel.parent_id ?? null,
    permission_overwrites: [],
    nsfw: false,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
  if (type === 11) {
    json.owner_id = DISCORD_FIXTURE.applicationId;
    json.thread_metadata = {
      archived: false,
      auto_archive_duration: 1440,
      archive_timestamp: new Date().toISOString(),
      locked: false,
    };
    json.member_count = 1;
    json.message_count = 0;
  }
  return json;
}

/** The GUILD_CREATE dispatch data for a guild, with its roles, channels and members. */
export function guildCreateJson(guild: FakeGuild, bot: FakeUser): JsonObject {
  const botMember: FakeMember = { user: bot, roles: [] };
  const members = [...guild.members, botMember];
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.owner_id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    mfa_level: 0,
    premium_tier: 0,
    nsfw_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    preferred_locale: 'en-US',
    features: [],
    roles: guild.roles.map((role, index) => roleJson(role, index)),
    emojis: [],
    stickers: [],
    channels: guild.channels.filter((c) => (c.type ?? 0) !== 11).map((c, i) => channelJson(guild.id, c, i)),
    threads: guild.channels.filter((c) => c.type === 11).map((c) => channelJson(guild.id, c)),
    members: members.map((member) => memberJson(guild, member, false)),
    member_count: members.length,
    large: false,
    unavailable: false,
    joined_at: JOINED_AT,
    presences: [],
    voice_states: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    max_video_channel_users: 25,
    application_id: null,
    description: null,
    banner: null,
    vanity_url_code: null,
  };
}
