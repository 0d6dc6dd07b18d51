import { z } from 'zod';
import { parseDuration } from '../../../core/duration.js';

/** `target` and `database` of every PostgreSQL action; empty strings count as not given. */
export const placeInputs = {
  target: z.preprocess(emptyAsAbsent, z.string().min(1).optional()),
  database: z.preprocess(emptyAsAbsent, z.string().min(1).optional()),
};

/** A duration in milliseconds, given as a number or as text such as `10m`. */
export const durationMs = z.preprocess(
  (value) => (typeof value === 'string' ? (parseDuration(value) ?? value) : value),
  z.number({ message: 'expected a duration such as 30s, 10m or 2h' }).int().positive('expected a duration above zero'),
);

/** A table or index name as typed; it is only ever compared with the catalog. */
export const relationName = z.string().min(1, 'must not be empty').max(200, 'is too long for a table or index name');

/** Treats `""`, `null` and `undefined` alike, as a runbook leaves a parameter nobody passed. */
export function emptyAsAbsent(value: unknown): unknown {
  return value === '' || value === null ? undefined : value;
}

/** The plan's `data` parsed with `schema`; undefined when the stored plan is not one this action wrote. */
export function plannedData<T>(schema: z.ZodType<T>, data: unknown): T | undefined {
  const parsed = schema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}
