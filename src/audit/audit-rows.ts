import type { AuditEvent, AuditKind } from './audit-trail.js';

/** One row of `maintbot_audit` as the driver returns it. */
export interface AuditRow {
  at: Date;
  kind: string;
  invocation_id: string;
  platform: string;
  actor_id: string;
  actor_name: string;
  channel: string | null;
  command: string | null;
  runbook: string | null;
  step: string | null;
  action: string | null;
  approval_id: string | null;
  args: Record<string, unknown> | null;
  outcome: string;
  detail: string | null;
  duration_ms: string | number | null;
}

/** The columns written for each record, in the order of `auditInsertValues`. */
export const auditInsertColumns = [
  'at',
  'kind',
  'invocation_id',
  'platform',
  'actor_id',
  'actor_name',
  'channel',
  'command',
  'runbook',
  'step',
  'action',
  'approval_id',
  'args',
  'outcome',
  'detail',
  'duration_ms',
] as const;

/** The query parameters that store one event, matching `auditInsertColumns`. */
export function auditInsertValues(event: AuditEvent): unknown[] {
  return [
    event.at,
    event.kind,
    event.invocationId,
    event.platform,
    event.actor.id,
    event.actor.name,
    event.channel ?? null,
    event.command ?? null,
    event.runbook ?? null,
    event.step ?? null,
    event.action ?? null,
    event.approvalId ?? null,
    event.args === undefined ? null : JSON.stringify(event.args),
    event.outcome,
    event.detail ?? null,
    event.durationMs === undefined ? null : Math.round(event.durationMs),
  ];
}

/** The event a stored row describes; absent optional fields stay absent. */
export function auditEventFromRow(row: AuditRow): AuditEvent {
  const event: AuditEvent = {
    at: row.at,
    kind: row.kind as AuditKind,
    invocationId: row.invocation_id,
    platform: row.platform,
    actor: { id: row.actor_id, name: row.actor_name },
    outcome: row.outcome,
  };
  if (row.channel !== null) event.channel = row.channel;
  if (row.command !== null) event.command = row.command;
  if (row.runbook !== null) event.runbook = row.runbook;
  if (row.step !== null) event.step = row.step;
  if (row.action !== null) event.action = row.action;
  if (row.approval_id !== null) event.approvalId = row.approval_id;
  if (row.args !== null) event.args = row.args;
  if (row.detail !== null) event.detail = row.detail;
  if (row.duration_ms !== null) event.durationMs = Number(row.duration_ms);
  return event;
}
