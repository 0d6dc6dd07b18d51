import { z } from 'zod';
import type { ActionContext } from './action.js';
import { parseDuration } from './duration.js';
import { CodedError } from './errors.js';

/** Treats `""`, `null` and `undefined` alike, as a runbook leaves a parameter nobody passed. */
export function emptyAsAbsent(value: unknown): unknown {
  return value === '' || value === null ? undefined : value;
}

/** A duration in milliseconds, given as a number or as text such as `10m`. */
export const durationMs = z.preprocess(
  (value) => (typeof value === 'string' ? (parseDuration(value) ?? value) : value),
  z.number({ message: 'expected a duration such as 30s, 10m or 2h' }).int().positive('expected a duration above zero'),
);

/** An optional name input (a target, a database): empty counts as not given. */
export const optionalName = z.preprocess(emptyAsAbsent, z.string().min(1).optional());

/** The plan's `data` parsed with `schema`; undefined when the stored plan is not one this action wrote. */
export function plannedData<T>(schema: z.ZodType<T>, data: unknown): T | undefined {
  const parsed = schema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The data of the approved plan, when there is one. Throws a `CodedError` when a plan was approved but its
 * data is not what `action` wrote, so nothing runs on a plan nobody can read.
 */
export function approvedData<T>(action: string, schema: z.ZodType<T>, context: ActionContext): T | undefined {
  if (!context.approvedPlan) return undefined;
  const data = plannedData(schema, context.approvedPlan.data);
  if (data === undefined) {
    throw new CodedError('ACTION_BAD_PLAN', `the approved plan of ${action} does not carry the data it needs`, {
      action,
      summary: context.approvedPlan.summary,
    });
  }
  return data;
}
