import { formatTimes, utcTime } from '../../core/time.js';
import type { SlackBlock } from './blocks.js';
import { slackLimits } from './limits.js';

/** A moment as Slack shows it in each reader's own time zone, e.g. "today at 14:05", with UTC for clients that cannot. */
export function slackDate(at: Date): string {
  return `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${utcTime(at)}>`;
}

/**
 * Resolves the moments of rendered blocks: `<!date^…>` in mrkdwn text, UTC in plain text (headers,
 * buttons), which Slack shows literally. A text that the longer markup would push past Slack's smallest
 * mrkdwn limit keeps UTC.
 */
export function withLocalTimes(blocks: SlackBlock[]): SlackBlock[] {
  return blocks.map((block) => resolve(block) as SlackBlock);
}

function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ((object.type === 'mrkdwn' || object.type === 'plain_text') && typeof object.text === 'string') return { ...object, text: resolveText(object.text, object.type) };
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, resolve(inner)]));
}

function resolveText(text: string, type: 'mrkdwn' | 'plain_text'): string {
  const utc = formatTimes(text, utcTime);
  if (type === 'plain_text' || utc === text) return utc;
  const local = formatTimes(text, slackDate);
  return local.length <= slackLimits.fieldText ? local : utc;
}
