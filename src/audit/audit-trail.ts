import { platformLabel, type Invocation } from '../core/invocation.js';
import type { RestoreTestLog } from '../core/restore-tests.js';

/** What an audit record is about. */
export type AuditKind = 'command' | 'approval' | 'step' | 'runbook';

/** One audit record: who did what, where, when, with which arguments, and how it ended. */
export interface AuditEvent {
  at: Date;
  kind: AuditKind;
  invocationId: string;
  platform: string;
  actor: { id: string; name: string };
  channel?: string;
  /** The command text as typed or clicked, e.g. `restart api`. */
  command?: string;
  runbook?: string;
  step?: string;
  action?: string;
  approvalId?: string;
  args?: Record<string, unknown>;
  /** ok, invalid, denied, failed, requested, approved, rejected, expired, refused, interrupted, skipped… */
  outcome: string;
  /** A short, safe sentence: the reason, the result, what changed. */
  detail?: string;
  durationMs?: number;
}

/** Where audit records go: the bot's own PostgreSQL table, or a JSON-lines file. */
export interface AuditTrail {
  /** Stores a record; never throws (a failure is logged), so auditing cannot break a command. */
  record(event: AuditEvent): Promise<void>;
  /** The newest records, newest first. */
  latest(count: number): Promise<AuditEvent[]>;
  /** The history of restore tests in the audit database; absent for the JSON-lines file. */
  readonly restoreTests?: RestoreTestLog;
  close(): Promise<void>;
}

/** What an invocation contributes to each of its audit records: who, where, which command. */
export function invocationFields(
  invocation: Pick<Invocation, 'id' | 'platform' | 'channel' | 'text'> & { actor: { id: string; name: string } },
): Pick<AuditEvent, 'invocationId' | 'platform' | 'actor' | 'channel' | 'command'> {
  return {
    invocationId: invocation.id,
    platform: platformLabel(invocation),
    actor: { id: invocation.actor.id, name: invocation.actor.name },
    channel: invocation.channel.id,
    command: invocation.text,
  };
}
