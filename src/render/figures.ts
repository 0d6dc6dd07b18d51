import { formatSeconds } from './units.js';

/**
 * A count with thousands separators, e.g. "1,234,567", as `toLocaleString('en-US')` writes it (up to three
 * decimals), without Intl: a locale call maps ICU's data, several MB resident.
 */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return Number.isNaN(count) ? 'NaN' : count > 0 ? '∞' : '-∞';
  const [whole = '0', fraction] = String(Math.round(Math.abs(count) * 1000) / 1000).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${count < 0 && (whole !== '0' || fraction) ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** "warn at 80 %, crit at 95 %" */
export function thresholdText(warn: string, crit?: string): string {
  return crit === undefined ? `warn at ${warn}` : `warn at ${warn}, crit at ${crit}`;
}

/** "warn below 0.90, crit below 0.80" */
export function lowThresholdText(warn: string, crit: string): string {
  return `warn below ${warn}, crit below ${crit}`;
}

/** A SQL text on one line, cut to `max` characters. */
export function shortQuery(query: string | null | undefined, max = 80): string {
  if (!query) return '(no query text visible)';
  const flat = query.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** How long ago a moment was, or "never". */
export function ago(moment: Date | null | undefined, now: Date): string {
  if (!moment) return 'never';
  return `${formatSeconds(Math.max(0, (now.getTime() - moment.getTime()) / 1000))} ago`;
}

/** A moment as UTC clock time, e.g. "14:03:07 UTC". */
export function clockTime(moment: Date | null | undefined): string {
  if (!moment) return 'unknown time';
  return `${moment.toISOString().slice(11, 19)} UTC`;
}

