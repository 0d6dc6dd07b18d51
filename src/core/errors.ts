/** An error whose message is safe and useful to show the person who asked. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** Extra text shown under the message, e.g. a usage line. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Every code an internal error may carry, in one style: `AREA_WHAT`. Users see only the code (with the
 * invocation id to find the log line), so a code is stable once released.
 */
export type ErrorCode =
  | 'ACTION_BAD_PLAN'
  | 'AUDIT_READ_FAILED'
  | 'AUDIT_WRITE_FAILED'
  | 'BACKUP_COUNT_FAILED'
  | 'BACKUP_DUMP_FAILED'
  | 'COMMAND_FAILED'
  | 'DISCORD_BAD_HANDLE'
  | 'DISCORD_DEFER_FAILED'
  | 'DISCORD_INTERACTION_FAILED'
  | 'DISCORD_POST_FAILED'
  | 'DISCORD_THREAD_FAILED'
  | 'DISCORD_UPDATE_FAILED'
  | 'DOCKER_ENGINE_FAILED'
  | 'ENGINE_UNKNOWN_ACTION'
  | 'ENGINE_UNKNOWN_RUNBOOK'
  | 'HEALTH_PROBE_FAILED'
  | 'KUBERNETES_API_FAILED'
  | 'OBSERVABILITY_LISTEN'
  | 'OUTBOUND_NOT_CONNECTED'
  | 'POSTGRES_MAINTENANCE_FAILED'
  | 'POSTGRES_TERMINATE_UNAPPROVED'
  | 'MYSQL_TERMINATE_UNAPPROVED'
  | 'REDIS_FLUSH_UNAPPROVED'
  | 'ROUTER_MISSING_RUNBOOK'
  | 'SCHEDULE_UNKNOWN_RUNBOOK'
  | 'SLACK_BAD_HANDLE'
  | 'SLACK_POST_NO_TS'
  | 'STEP_FAILED'
  | 'STORE_CONTENTION'
  | 'STORE_UNREACHABLE';

/** An internal error with a stable code, logged with context and never shown verbatim. */
export class CodedError extends Error {
  override readonly name = 'CodedError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The code of a `CodedError`, else `fallback` (the code of the place that caught an unexpected error). */
export function errorCodeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  return error instanceof CodedError ? error.code : fallback;
}

/** What may be shown or recorded of any error: a `UserError`'s message, else only "internal error" and the code. */
export function safeReason(error: unknown): string {
  if (error instanceof UserError) return error.message;
  return error instanceof CodedError ? `internal error ${error.code}` : 'internal error';
}

/** The message of any thrown value, for logs only. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
