import type { Actor, Platform } from './invocation.js';
import type { Report } from './report.js';

/**
 * A person's own page in a chat platform (Slack's App Home): built by the core from approvals, the audit
 * trail, schedules and alerts, rendered by the adapter. Its buttons are commands like any others.
 */
export interface HomeSource {
  /** The home of `actor` as `platform` knows them: their roles, what they may approve, their latest commands, the next schedules, open alerts. */
  homeFor(actor: Actor, platform: Platform): Promise<Report>;
}
