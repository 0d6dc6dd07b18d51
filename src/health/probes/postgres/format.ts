import type { LineStatus } from '../../../core/status.js';

/** Judges a figure where higher is worse: crit at or above `crit`, warn at or above `warn`. */
export function judgeHigh(value: number, warn: number, crit: number): LineStatus {
  if (value >= crit) return 'crit';
  if (value >= warn) return 'warn';
  return 'ok';
}

/** Judges a figure where lower is worse: crit below `crit`, warn below `warn`. */
export function judgeLow(value: number, warn: number, crit: number): LineStatus {
  if (value < crit) return 'crit';
  if (value < warn) return 'warn';
  return 'ok';
}

/** A duration for people: "0.4 s", "12 s", "5 min 3 s", "2 h 5 min", "3 d 4 h". */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${trimNumber(seconds, 1)} s`;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const [d, h, m, s] = [Math.floor(whole / 86_400), Math.floor(whole / 3600) % 24, Math.floor(whole / 60) % 60, whole % 60];
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return s > 0 ? `${m} min ${s} s` : `${m} min`;
}

/** A size for people in binary units: "512 B", "8.0 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A percentage with at most one decimal: "85 %", "0.4 %". */
export function formatPct(pct: number): string {
  return `${trimNumber(pct, 1)} %`;
}

/** A count with thousands separators. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
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

function trimNumber(value: number, decimals: number): string {
  return String(Number(value.toFixed(decimals)));
}
