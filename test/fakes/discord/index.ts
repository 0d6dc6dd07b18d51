export { startFakeDiscord } from './fake-discord.js';
export type { FakeDiscord, FakeDiscordOptions, HttpDelivery, InteractionCallback } from './fake-discord.js';
export type { HttpAnswer, SignatureKind, SignOptions } from './signed-http.js';
export { DISCORD_FIXTURE, defaultBotUser, defaultGuild } from './fixtures.js';
export type {
  AutocompleteInput,
  ButtonInput,
  ChatCommandInput,
  InteractionActor,
  OptionValue,
  RawCommandOption,
  SentInteraction,
} from './interactions.js';
export type { ReceivedFrame } from './gateway.js';
export type * from './types.js';
