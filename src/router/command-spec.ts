import { z } from 'zod';

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected lower-case letters, digits and dashes, starting with a letter');

const valueType = z.enum(['string', 'identifier', 'integer', 'number', 'boolean', 'duration']);

/** The flag that posts a private command's answer in the channel. */
export const hereFlag = 'here';

/** The groups `/maint help` lists commands in, in the order it lists them. */
export const commandGroups = ['status', 'containers', 'kubernetes', 'postgres', 'databases', 'redis', 'backups', 'approvals', 'alerts', 'schedules'] as const;

const argumentSpecSchema = z
  .object({
    name,
    type: valueType.default('string'),
    description: z.string().default(''),
    required: z.boolean().default(false),
    choices: z.array(z.string()).optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /**
     * Where a chat platform may offer completions from: `commands`, `runbooks`, `schedules`, `targets` (any
     * target), or a kind a system module answers (`postgres`, `containers`…); checked against them at start.
     */
    complete: name.optional(),
    /** An `identifier`'s limit in its system, in bytes of UTF-8 (PostgreSQL: 63). */
    max_bytes: z.number().int().positive().optional(),
    /** An `identifier`'s limit in its system, in characters (MySQL: 64; a Kubernetes name: 253). */
    max_chars: z.number().int().positive().optional(),
    /** An `identifier` that may be qualified as `schema.name`: the limit applies to each of the two parts. */
    qualified: z.boolean().default(false),
    /** The last positional argument only: takes every remaining word, each checked on its own; its value is the list of words. */
    repeated: z.boolean().default(false),
  })
  .strict();

const identifierLimitsOnlyOnIdentifiers = (spec: { type: string; max_bytes?: number; max_chars?: number; qualified: boolean }): boolean =>
  spec.type === 'identifier' || (spec.max_bytes === undefined && spec.max_chars === undefined && !spec.qualified);
const identifierLimitsProblem = { message: 'max_bytes, max_chars and qualified are only for type: identifier', path: ['type'] };

const flagSpecSchema = argumentSpecSchema
  .extend({ short: z.string().regex(/^[a-zA-Z]$/, 'expected one letter').optional() })
  .strict()
  .refine(identifierLimitsOnlyOnIdentifiers, identifierLimitsProblem)
  .refine((flag) => !flag.repeated, { message: 'only the last positional argument may be repeated', path: ['repeated'] });

/** One `commands/*.yaml` file: a chat subcommand, its arguments, who may run it and what it runs. */
export const commandSpecSchema = z
  .object({
    name,
    summary: z.string().min(1).max(100, 'keep the summary under 100 characters: it is a Discord description too'),
    description: z.string().optional(),
    usage: z.string().optional(),
    /** Where `/maint help` lists the command; a command without one is listed under "Other". */
    group: z.enum(commandGroups).optional(),
    args: z.array(argumentSpecSchema.refine(identifierLimitsOnlyOnIdentifiers, identifierLimitsProblem)).default([]),
    flags: z.array(flagSpecSchema).default([]),
    roles: z.array(z.string().min(1)).min(1, 'name at least one role that may run this command'),
    runbook: name.optional(),
    /** `private`: the runbook's answer goes to the requester alone, unless they add `--here` (a boolean flag the command declares). */
    answer: z.enum(['channel', 'private']).optional(),
    builtin: z.enum(['help', 'runbooks', 'audit', 'approve', 'reject', 'approvals', 'cancel', 'schedules', 'run', 'ack', 'snooze', 'silence', 'silences', 'unsilence']).optional(),
    examples: z.array(z.string()).default([]),
  })
  .strict()
  .refine((spec) => spec.args.every((arg, index) => !arg.repeated || index === spec.args.length - 1), {
    message: 'only the last positional argument may be repeated',
    path: ['args'],
  })
  .refine((spec) => (spec.runbook === undefined) !== (spec.builtin === undefined), {
    message: 'a command runs exactly one of: runbook, builtin',
    path: ['runbook'],
  })
  .refine((spec) => spec.answer !== 'private' || spec.flags.some((flag) => flag.name === hereFlag && flag.type === 'boolean'), {
    message: `a command with answer: private declares the boolean flag '${hereFlag}' that posts the answer in the channel instead`,
    path: ['answer'],
  });

/** True when the runbook's answer goes to the requester alone: the command says so and `--here` was not given. */
export function answersPrivately(spec: CommandSpec, values: Record<string, unknown>): boolean {
  return spec.answer === 'private' && values[hereFlag] !== true;
}

/** A group of commands in `/maint help`. */
export type CommandGroup = (typeof commandGroups)[number];

/** A validated command definition. */
export type CommandSpec = z.output<typeof commandSpecSchema>;
/** One positional argument of a command. */
export type ArgumentSpec = CommandSpec['args'][number];
/** One `--flag` of a command. */
export type FlagSpec = CommandSpec['flags'][number];
/** The value types an argument can have. */
export type ValueType = z.output<typeof valueType>;

/** The usage line of a command, generated from its arguments when the file does not give one. */
export function usageLine(spec: CommandSpec): string {
  if (spec.usage) return spec.usage.startsWith('/maint') ? spec.usage : `/maint ${spec.usage}`;
  const parts = [`/maint ${spec.name}`];
  for (const arg of spec.args) {
    const shown = `${arg.choices ? arg.choices.join('|') : arg.name}${arg.repeated ? '…' : ''}`;
    parts.push(arg.required ? `<${shown}>` : `[${shown}]`);
  }
  for (const flag of spec.flags) {
    const placeholder = flag.type === 'boolean' ? '' : ` ${flag.choices ? flag.choices.join('|') : placeholderFor(flag.type, flag.name)}`;
    parts.push(flag.required ? `--${flag.name}${placeholder}` : `[--${flag.name}${placeholder}]`);
  }
  return parts.join(' ');
}

function placeholderFor(type: ValueType, fallback: string): string {
  if (type === 'integer' || type === 'number') return 'N';
  if (type === 'duration') return 'DURATION';
  return fallback.toUpperCase();
}
