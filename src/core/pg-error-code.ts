/** The SQLSTATE or system error code of a `pg` error, also inside an AggregateError of several attempts. */
export function postgresErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  if (Array.isArray(errors)) return errors.map(postgresErrorCode).find((inner) => inner !== undefined);
  return undefined;
}
