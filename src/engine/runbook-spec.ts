import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { pageUrlSchema } from '../core/target-fields.js';

const identifier = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected lower-case letters, digits, dashes and underscores');

const duration = z.string().refine((text) => parseDuration(text) !== undefined, 'expected a duration such as 30s, 5m or 2h');

const paramSpecSchema = z
  .object({
    type: z.enum(['string', 'integer', 'number', 'boolean', 'duration']).default('string'),
    required: z.boolean().default(false),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    description: z.string().default(''),
  })
  .strict();

const stepSpecSchema = z
  .object({
    id: identifier,
    title: z.string().optional(),
    action: z.string().regex(/^[a-z][a-z-]*(\.[a-z-]+)*$/, 'expected an action name such as postgres.vacuum or notify, or a verb such as analyze that the target\'s system offers'),
    with: z.record(z.string(), z.unknown()).default({}),
    when: z.string().optional(),
    timeout: duration.optional(),
    destructive: z
      .literal(true, { message: 'a runbook can mark a step destructive, never un-mark one: remove the key or set it to true' })
      .optional(),
  })
  .strict();

/** One `runbooks/*.yaml` file: typed parameters and the steps that use them. */
export const runbookSpecSchema = z
  .object({
    name: identifier,
    description: z.string().min(1),
    /** The runbook's own documentation, shown as a "Docs" button on its approval cards. */
    url: pageUrlSchema.optional(),
    params: z.record(identifier, paramSpecSchema).default({}),
    steps: z.array(stepSpecSchema).min(1, 'a runbook needs at least one step'),
  })
  .strict();

/** A validated runbook definition. */
export type RunbookSpec = z.output<typeof runbookSpecSchema>;
/** One step of a runbook. */
export type StepSpec = RunbookSpec['steps'][number];
