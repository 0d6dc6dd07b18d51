import type { z } from 'zod';
import type { ActionContext } from './action.js';
import { CodedError } from './errors.js';

/**
 * The data of the approved plan, when there is one. Throws a `CodedError` when a plan was approved but its
 * data is not what `action` wrote, so nothing runs on a plan nobody can read.
 */
export function approvedData<T>(action: string, schema: z.ZodType<T>, context: ActionContext): T | undefined {
  if (!context.approvedPlan) return undefined;
  const parsed = schema.safeParse(context.approvedPlan.data);
  if (!parsed.success) {
    throw new CodedError('ACTION_BAD_PLAN', `the approved plan of ${action} does not carry the data it needs`, { action, summary: context.approvedPlan.summary });
  }
  return parsed.data;
}
