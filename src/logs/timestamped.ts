import type { LogEntry } from '../core/logs.js';

/**
 * One line as a runtime sends it with timestamps on (`docker logs -t`, the pod log's `timestamps=true`):
 * an RFC 3339 time, a space, the text. A line without a readable time keeps its whole text and no `at`.
 */
export function timestampedEntry(line: string, stream: LogEntry['stream'], container?: string): LogEntry {
  const text = line.replace(/\r$/, '');
  const space = text.indexOf(' ');
  const at = space > 0 ? new Date(text.slice(0, space)) : undefined;
  const where = container === undefined ? {} : { container };
  if (at && !Number.isNaN(at.getTime())) return { at, stream, text: text.slice(space + 1), ...where };
  return { stream, text, ...where };
}

/** Oldest first by time; lines without a time keep their place among the others of equal key. */
export function byTime(a: LogEntry, b: LogEntry): number {
  return (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0);
}
