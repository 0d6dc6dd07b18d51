import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import type { ArgumentSpec, ValueType } from './command-spec.js';

/** A parsed argument value. Durations are milliseconds. */
export type ArgumentValue = string | number | boolean;

const typeSchemas: Record<ValueType, z.ZodType<ArgumentValue, string>> = {
  string: z.string().min(1, 'must not be empty'),
  integer: z
    .string()
    .regex(/^[-+]?\d+$/, 'must be a whole number')
    .transform(Number),
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
    return ms;
  }),
};

/** Validates one raw argument word against its spec; returns the value or a reason it is wrong. */
export function parseValue(spec: ArgumentSpec, raw: string): { ok: true; value: ArgumentValue } | { ok: false; reason: string } {
  if (spec.choices && !spec.choices.includes(raw)) {
    return { ok: false, reason: `must be one of ${spec.choices.join(', ')}` };
  }
  const result = typeSchemas[spec.type].safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: result.error.issues[0]?.message ?? 'is not valid' };
}

/** The default of a spec as a typed value (durations in the file are written like `5m`). */
export function defaultValue(spec: ArgumentSpec): ArgumentValue | undefined {
  if (spec.default === undefined) return spec.type === 'boolean' ? false : undefined;
  if (typeof spec.default !== 'string') return spec.default;
  const parsed = parseValue(spec, spec.default);
  return parsed.ok ? parsed.value : spec.default;
}
