const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A byte count a person reads at a glance, e.g. "512 B", "7.4 MiB", "1.5 GiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${byteUnits[unit]}`;
}

/** A percentage to one decimal, rounded down so that a shown figure never passes a limit the real one has not, e.g. "79.9 %". */
export function formatPercent(percent: number): string {
  const shown = Math.floor(percent * 10) / 10;
  return `${Number.isInteger(shown) ? shown : shown.toFixed(1)} %`;
}

/** A duration given in seconds: "0.4 s", "12 s", "5 min 3 s", "2 h 5 min", "3 d 4 h". */
export function formatSeconds(seconds: number): string {
  const positive = Math.max(0, seconds);
  if (positive < 10) return `${Number(positive.toFixed(1))} s`;
  const whole = Math.round(positive);
  if (whole < 60) return `${whole} s`;
  const [d, h, m, s] = [Math.floor(whole / 86_400), Math.floor(whole / 3600) % 24, Math.floor(whole / 60) % 60, whole % 60];
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return s > 0 ? `${m} min ${s} s` : `${m} min`;
}

/** A duration given in milliseconds, in seconds with always one decimal, e.g. "1.0 s", "12.3 s": step and restore timings. */
export function formatSecondsTenths(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A duration given in milliseconds: "850 ms" under a second, else as `formatSeconds`. */
export function formatMilliseconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : formatSeconds(ms / 1000);
}
