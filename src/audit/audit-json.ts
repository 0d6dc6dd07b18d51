import { z } from 'zod';
import type { AuditEvent } from './audit-trail.js';

const storedEventSchema = z.object({
  at: z.iso.datetime({ offset: true }).transform((text) => new Date(text)),
  kind: z.enum(['command', 'approval', 'step', 'runbook']),
  invocationId: z.string(),
  platform: z.string(),
  actor: z.object({ id: z.string(), name: z.string() }),
  channel: z.string().optional(),
  command: z.string().optional(),
  runbook: z.string().optional(),
  step: z.string().optional(),
  action: z.string().optional(),
  approvalId: z.string().optional(),
  args: z.record(z.string(), z.unknown()).optional(),
  outcome: z.string(),
  detail: z.string().optional(),
  durationMs: z.number().optional(),
});

/** One event as a single JSON line, newline included. */
export function auditEventToJsonLine(event: AuditEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/** The event a stored JSON line holds, or undefined when the line is torn or not an audit record. */
export function auditEventFromJsonLine(line: string): AuditEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = storedEventSchema.safeParse(value);
  return parsed.success ? (parsed.data as AuditEvent) : undefined;
}
