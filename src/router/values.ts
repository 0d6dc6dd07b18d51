import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import type { ArgumentSpec, ValueType } from './command-spec.js';

/** A parsed argument value. Durations are milliseconds; a `repeated` argument is the list of its words. */
export type ArgumentValue = string | number | boolean | string[];

/** The shortest and the longest duration any argument takes: 1 s and 365 days. */
export const durationRange = { minMs: 1000, maxMs: 365 * 86_400_000 } as const;

const typeSchemas: Record<Exclude<ValueType, 'identifier'>, z.ZodType<string | number | boolean, string>> = {
  string: z.string().min(1, 'must not be empty'),
  integer: z
    .string()
    .regex(/^[-+]?\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((value) => Number.isSafeInteger(value), 'is too large'),
  number: z
    .string()
    .refine((text) => text.trim() !== '' && Number.isFinite(Number(text)), 'must be a number')
    .transform(Number),
  boolean: z
    .string()
    .regex(/^(true|false|yes|no|on|off)$/i, 'must be true or false')
    .transform((text) => /^(true|yes|on)$/i.test(text)),
  duration: z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 30s, 5m, 2h or 1d' });
      return z.NEVER;
    }
    if (ms < durationRange.minMs || ms > durationRange.maxMs) {
      ctx.addIssue({ code: 'custom', message: 'must be between 1s and 365d' });
      return z.NEVER;
    }
    return ms;
  }),
};

/** Validates one raw argument word against its spec; returns the value or a reason it is wrong. */
export function parseValue(spec: ArgumentSpec, raw: string): { ok: true; value: string | number | boolean } | { ok: false; reason: string } {
  if (spec.choices && !spec.choices.includes(raw)) {
    return { ok: false, reason: `must be one of ${spec.choices.join(', ')}` };
  }
  if (spec.type === 'identifier') {
    const reason = identifierProblem(spec, raw);
    return reason === undefined ? { ok: true, value: raw } : { ok: false, reason };
  }
  const result = typeSchemas[spec.type].safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: result.error.issues[0]?.message ?? 'is not valid' };
}

/** Why a name breaks its system's limit (`max_bytes`, `max_chars`, for each part of `schema.name` when qualified). */
function identifierProblem(spec: ArgumentSpec, raw: string): string | undefined {
  if (raw === '') return 'must not be empty';
  const parts = spec.qualified ? qualifiedParts(raw) : [raw];
  const each = parts.length > 1 ? ' for each part of schema.name' : '';
  for (const part of parts) {
    if (spec.max_bytes !== undefined && Buffer.byteLength(part) > spec.max_bytes) return `is longer than ${spec.max_bytes} bytes${each}, the longest name the system allows`;
    if (spec.max_chars !== undefined && [...part].length > spec.max_chars) return `is longer than ${spec.max_chars} characters${each}, the longest name the system allows`;
  }
  return undefined;
}

/** `schema.name` as two parts, the way the catalog lookups split it; anything else is one name. */
function qualifiedParts(text: string): string[] {
  const parts = text.split('.');
  return parts.length === 2 && parts[0] !== '' && parts[1] !== '' ? parts : [text];
}

/** The default of a spec as a typed value (durations in the file are written like `5m`). */
export function defaultValue(spec: ArgumentSpec): ArgumentValue | undefined {
  if (spec.default === undefined) return spec.type === 'boolean' ? false : undefined;
  if (typeof spec.default !== 'string') return spec.default;
  const parsed = parseValue(spec, spec.default);
  return parsed.ok ? parsed.value : spec.default;
}
