import type { MessageHandle } from './responder.js';

/** The chat platforms maintbot speaks, plus the scheduler that speaks for nobody. */
export type Platform = 'slack' | 'discord' | 'console' | 'scheduler';

/** How a command came in. */
export type Origin = 'typed' | 'button' | 'schedule';

/** Who asked, as resolved by the adapter against the access config. */
export interface Actor {
  /** Platform user id ("U012ABC", a Discord snowflake, the OS user name in the terminal). */
  id: string;
  /** Display name for messages and the audit trail. */
  name: string;
  /** maintbot roles granted to this actor. */
  roles: string[];
}

/** One command from any platform, in neutral form. */
export interface Invocation {
  /** Unique id, carried by logs and the audit trail. */
  id: string;
  platform: Platform;
  actor: Actor;
  channel: { id: string; name?: string };
  /** The command text after "/maint", e.g. `health main-db --verbose`. */
  text: string;
  origin: Origin;
  receivedAt: Date;
  /** For a button click: the message the button was on, so it can be updated in place. */
  sourceMessage?: MessageHandle;
}
