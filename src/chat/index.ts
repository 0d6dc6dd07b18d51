import type { Platform } from '../core/invocation.js';
import { consoleChat } from './console/index.js';
import { discordChat } from './discord/index.js';
import { slackChat } from './slack/index.js';

/**
 * The chat platforms maintbot ships, in the order they start. The config schema (`chat.<platform>`,
 * `access.grants[].<platform>`), the environment, log redaction, roles, schedule channels, start-up and
 * readiness fold over this list.
 */
export const chatAdapters = [slackChat, discordChat, consoleChat] as const;

/** Compiles only while every `Platform` has an adapter in the list. */
const _everyPlatformHasAdapter: [Platform] extends [(typeof chatAdapters)[number]['platform']] ? true : never = true;

/** The names of the shipped platforms, e.g. for validating a schedule's channels. */
export const chatPlatforms = chatAdapters.map((adapter) => adapter.platform) as [Platform, ...Platform[]];
