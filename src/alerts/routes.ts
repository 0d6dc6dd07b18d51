import { z } from 'zod';
import { chatPlatforms } from '../chat/index.js';
import { notifySchema, type ApprovalNotify } from '../config/chat.js';
import { parseDuration } from '../core/duration.js';
import { channelKey, channelSchemaFor, type Channel } from '../outbound/channels.js';
import { matchersSchema, matchesAll, type AlertLabels } from './matchers.js';
import type { AlertRouter } from './pipeline.js';

const channelSchema = channelSchemaFor(chatPlatforms);

const duration = z.string().refine((text) => parseDuration(text) !== undefined && parseDuration(text)! > 0, 'expected a duration such as 30s, 15m or 1h');

const levelSchema = z
  .object({
    after: duration.describe('how long after the alert turned critical, without an ack, this level is posted'),
    channels: z.array(channelSchema).min(1, 'name at least one channel to escalate to'),
    mention: notifySchema.default({}).describe('per platform, whom the post calls: slack {groups, users}, discord {roles, users}'),
  })
  .strict();

const routeSchema = z
  .object({
    matchers: matchersSchema.describe('conditions on the alert labels (target, system, check, severity and the target\'s labels)'),
    channels: z.array(channelSchema).min(1, 'name at least one channel, or leave channels out to keep the schedule\'s').optional(),
    escalate: z.array(levelSchema).default([]),
    continue: z.boolean().default(false).describe('true: routes after this one are tried as well'),
  })
  .strict();

/** `alerts.routes` in the config: where alerts go by their labels, and whom a critical alert nobody acks escalates to. */
export const routesSchema = z.array(routeSchema).default([]);

/** One validated route. */
export type Route = z.output<typeof routeSchema>;

/** One level of an escalation, as kept with a pending escalation in the store (plain data). */
export interface EscalationLevel {
  afterMs: number;
  channels: Channel[];
  mention: ApprovalNotify;
}

/**
 * The configured routes, tried in order: the first whose matchers all hold decides, unless it says
 * `continue`, in which case the next ones are tried as well and their channels added.
 *
 * @example
 * new RouteTable([{ matchers: [parseMatcher('team=payments')], channels: [{ platform: 'slack', id: 'C0PAY' }], escalate: [], continue: false }])
 */
export class RouteTable implements AlertRouter {
  constructor(private readonly routes: readonly Route[]) {}

  /** The routes an alert with these labels takes, in order. */
  matching(labels: AlertLabels): Route[] {
    const taken: Route[] = [];
    for (const route of this.routes) {
      if (!matchesAll(route.matchers, labels)) continue;
      taken.push(route);
      if (!route.continue) break;
    }
    return taken;
  }

  /** The channels of the matching routes (each once); `fallback` (the schedule's) when no route matches or none names channels. */
  channelsFor(labels: AlertLabels, fallback: readonly Channel[]): readonly Channel[] {
    const named = this.matching(labels).flatMap((route) => route.channels ?? []);
    if (named.length === 0) return fallback;
    const seen = new Set<string>();
    return named.filter((channel) => {
      const key = channelKey(channel);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** The escalation levels of the matching routes, earliest first; empty when nothing escalates. */
  escalationFor(labels: AlertLabels): EscalationLevel[] {
    return this.matching(labels)
      .flatMap((route) => route.escalate)
      .map((level) => ({ afterMs: parseDuration(level.after)!, channels: level.channels, mention: level.mention }))
      .sort((a, b) => a.afterMs - b.afterMs);
  }

  /** The shortest `after` of any level, for how often due escalations are looked for; undefined without escalation. */
  shortestEscalation(): number | undefined {
    const afters = this.routes.flatMap((route) => route.escalate.map((level) => parseDuration(level.after)!));
    return afters.length > 0 ? Math.min(...afters) : undefined;
  }
}
