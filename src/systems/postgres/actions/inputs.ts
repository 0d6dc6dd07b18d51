import { z } from 'zod';
import { emptyAsAbsent } from '../../../core/action-inputs.js';

export { durationMs, emptyAsAbsent, plannedData } from '../../../core/action-inputs.js';

/** `target` and `database` of every PostgreSQL action; empty strings count as not given. */
export const placeInputs = {
  target: z.preprocess(emptyAsAbsent, z.string().min(1).optional()),
  database: z.preprocess(emptyAsAbsent, z.string().min(1).optional()),
};

/** A table or index name as typed; it is only ever compared with the catalog. */
export const relationName = z.string().min(1, 'must not be empty').max(200, 'is too long for a table or index name');
