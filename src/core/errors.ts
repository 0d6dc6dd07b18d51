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

/** An internal error with a stable code, logged with context and never shown verbatim. */
export class CodedError extends Error {
  override readonly name = 'CodedError';
  constructor(
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The message of any thrown value, for logs only. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
