/** The most records `latest` returns at once, whatever was asked. */
export const MAX_AUDIT_RECORDS = 1000;

/** A record count made safe for a query: a whole number between 0 and `MAX_AUDIT_RECORDS`. */
export function clampRecordCount(count: number): number {
  if (!Number.isFinite(count)) return count > 0 ? MAX_AUDIT_RECORDS : 0;
  return Math.min(MAX_AUDIT_RECORDS, Math.max(0, Math.floor(count)));
}
