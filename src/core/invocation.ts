import type { MessageHandle } from './responder.js';

/** The chat platforms maintbot speaks: one adapter each under `src/chat/<platform>/`, listed in `src/chat/index.ts`. */
export type Platform = 'slack' | 'discord' | 'console';

/** How a command came in: typed or clicked by a person, or started by a schedule (nobody asked). */
export type Origin = 'typed' | 'button' | 'schedule';

/** Who asked, as resolved by the adapter against the access config; for a schedule, the schedule itself. */
export interface Actor {
  /** Platform user id ("U012ABC", a Discord snowflake, the OS user name in the terminal). */
  id: string;
  /** Display name for messages and the audit trail. */
  name: string;
  /** maintbot roles granted to this actor. */
  roles: string[];
}

/** One command from any platform, or one run a schedule started, in neutral form. */
export interface Invocation {
  /** Unique id, carried by logs and the audit trail. */
  id: string;
  /** The chat platform it came from; absent when a schedule started it (origin `schedule`). */
  platform?: Platform;
  actor: Actor;
  channel: { id: string; name?: string };
  /** The command text after "/maint", e.g. `health main-db --verbose`. */
  text: string;
  origin: Origin;
  receivedAt: Date;
  /** For a button click: the message the button was on, so it can be updated in place. */
  sourceMessage?: MessageHandle;
}

/** What logs, metrics and the audit trail name as an invocation's platform: `scheduler` when a schedule started it. */
export function platformLabel(invocation: Pick<Invocation, 'platform'>): string {
  return invocation.platform ?? 'scheduler';
}

/** The bot itself, as the actor of what nobody did by hand (an approval request that expired). */
export const botActor: Actor = { id: 'maintbot', name: 'maintbot', roles: [] };
