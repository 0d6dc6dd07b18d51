import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { platformLabel, type Invocation } from '../core/invocation.js';
import { timeText } from '../core/time.js';
import type { Store } from '../store/store.js';

const duration = z.string().refine((text) => (parseDuration(text) ?? 0) >= 1000, 'expected a duration of a second or more, such as 1m or 1h');

const windowSchema = (limit: number, per: string, what: string) =>
  z
    .object({
      limit: z.number().int().min(1).max(1_000_000).default(limit).describe(`how many ${what} one person may make in each window`),
      per: duration.default(per).describe('the length of the window'),
    })
    .strict()
    .default({ limit, per });

/** `rate_limits:` in the config: how many commands, and how many requests for approval, one person may make. */
export const rateLimitsSchema = z
  .object({
    enabled: z.boolean().default(true),
    commands: windowSchema(30, '1m', 'commands').describe('every command a person types or clicks'),
    destructive: windowSchema(5, '1h', 'requests that post an approval card').describe('requests that would post an approval card'),
  })
  .strict()
  .default({ enabled: true, commands: { limit: 30, per: '1m' }, destructive: { limit: 5, per: '1h' } });

/** Validated rate limits. */
export type RateLimitSettings = z.output<typeof rateLimitsSchema>;

/** What a limit counts: every command, or the requests that would post an approval card. */
export type RateLimitKind = 'commands' | 'destructive';

/** A request inside its limit, counted; `giveBack` uncounts it when it turned out to post nothing. */
export interface Admitted {
  admitted: true;
  giveBack(): Promise<void>;
}

/** A request over its limit: what to tell the person, and when the window ends. */
export interface OverLimit {
  admitted: false;
  retryAt: Date;
  /** The private refusal, with the retry time as a `timeText` moment. */
  message: string;
  /** A short record for the audit row. */
  detail: string;
}

const nouns: Record<RateLimitKind, string> = { commands: 'commands', destructive: 'requests for approval' };

/**
 * Per-person rate limits in fixed windows, counted in the store (`increment`), so one limit holds across
 * every replica on the same Redis. A window is the `per` period the clock is in; its counter expires
 * with it. Schedules never pass through here: only what a person types or clicks is counted.
 */
export class RateLimiter {
  constructor(
    private readonly store: Store,
    private readonly settings: RateLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of `kind` by the invocation's person; over the limit, says when to retry. */
  async admit(kind: RateLimitKind, invocation: Pick<Invocation, 'platform' | 'actor'>): Promise<Admitted | OverLimit> {
    if (!this.settings.enabled) return { admitted: true, giveBack: async () => undefined };
    const { limit, per } = this.settings[kind];
    const windowMs = parseDuration(per)!;
    const now = this.now();
    const windowEnd = (Math.floor(now / windowMs) + 1) * windowMs;
    const key = `ratelimit:${kind}:${platformLabel(invocation)}:${invocation.actor.id}:${windowEnd}`;
    const count = await this.store.increment(key, 1, windowEnd - now);
    if (count <= limit) return { admitted: true, giveBack: async () => void (await this.store.increment(key, -1, windowEnd - now)) };
    const retryAt = new Date(windowEnd);
    const rule = `${limit} ${nouns[kind]} ${windowName(per)}`;
    return {
      admitted: false,
      retryAt,
      message: `You have reached the limit of ${rule}. Try again at ${timeText(retryAt)}.`,
      detail: `rate limit: ${rule}, retry at ${retryAt.toISOString()}`,
    };
  }
}

const singleUnits: Record<string, string> = { '1s': 'a second', '1m': 'a minute', '1h': 'an hour', '1d': 'a day' };

/** "a minute" for `1m`, "per 10m" for any other window. */
function windowName(per: string): string {
  return singleUnits[per] ?? `per ${per}`;
}
