import type { Status } from './status.js';

/** The two limits that judge one figure. */
export interface Limits {
  warn: number;
  crit: number;
}

/** Judges a figure where more is worse (disk %, latency): at or above `crit` is crit, at or above `warn` is warn. */
export function judgeHigh(value: number, limits: Limits): Status {
  if (value >= limits.crit) return 'crit';
  if (value >= limits.warn) return 'warn';
  return 'ok';
}

/** Judges a figure where less is worse (hit ratio, days left): below `crit` is crit, below `warn` is warn. */
export function judgeLow(value: number, limits: Limits): Status {
  if (value < limits.crit) return 'crit';
  if (value < limits.warn) return 'warn';
  return 'ok';
}

/** Phrases limits judged by `judgeHigh`, e.g. "warn at 80 %, crit at 95 %". */
export function highLimitsText(limits: Limits, unit = ''): string {
  return `warn at ${limits.warn}${unit}, crit at ${limits.crit}${unit}`;
}

/** Phrases limits judged by `judgeLow`, e.g. "warn below 0.9, crit below 0.8". */
export function lowLimitsText(limits: Limits, unit = ''): string {
  return `warn below ${limits.warn}${unit}, crit below ${limits.crit}${unit}`;
}

/** One warn/crit pair of a thresholds object and the direction in which its figure gets worse. */
export type LimitPair<T> = readonly [warnKey: keyof T & string, critKey: keyof T & string, worse: 'higher' | 'lower'];

/** Reports, on the warn key, each pair whose warn limit would never fire before its crit limit. */
export function checkLimitOrder<T extends Record<string, unknown>>(
  thresholds: T,
  pairs: readonly LimitPair<T>[],
  issue: (problem: { message: string; path: string[] }) => void,
): void {
  for (const [warnKey, critKey, worse] of pairs) {
    const warn = thresholds[warnKey];
    const crit = thresholds[critKey];
    if (typeof warn !== 'number' || typeof crit !== 'number') continue;
    const misordered = worse === 'higher' ? warn > crit : warn < crit;
    if (misordered) {
      const relation = worse === 'higher' ? 'above' : 'below';
      issue({ message: `${warnKey} (${warn}) must not be ${relation} ${critKey} (${crit})`, path: [warnKey] });
    }
  }
}
