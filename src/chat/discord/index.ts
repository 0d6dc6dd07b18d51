export { startDiscordChat, DiscordStartError, type DiscordChatOptions, type RunningDiscordChat } from './discord-chat.js';
export { renderDiscordMessage, type EmbedRenderOptions } from './embeds.js';
export { buildMaintCommand, RegistrationError, type MaintCommandJson } from './registration.js';
export { discordHandle, parseDiscordHandle } from './message-handle.js';
