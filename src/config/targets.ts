import { z } from 'zod';
import type { AnySystemModule, SystemModule } from '../core/system.js';
import { shippedSystems } from '../systems/index.js';
import { defaultHealthConcurrency } from '../checks/server-slots.js';
import { parseDuration } from '../core/duration.js';
import { defaultProbeSettings, type ProbeSettings } from '../core/probe.js';

/**
 * `health:` in the config: how long each probe may take before its target counts as unreachable, how
 * many connections one run opens to one server at once, and how often table statistics are read again.
 */
export const healthSettingsSchema = z
  .object({
    timeout_ms: z
      .number()
      .int('expected a whole number of milliseconds')
      .min(100, 'expected at least 100 ms')
      .max(60_000, 'expected at most 60000 ms: chat platforms give up long before that')
      .default(3000),
    concurrency: z.number().int('expected a whole number of connections').min(1, 'expected at least 1').max(1000, 'expected at most 1000').default(defaultHealthConcurrency),
    table_stats_every: z
      .union([z.literal(0), z.string().refine((text) => text === '0' || parseDuration(text) !== undefined, 'expected a duration such as 10m or 1h, or 0 for every run')])
      .default('10m'),
  })
  .strict();

/** What the probes are built with, from validated health settings. */
export function probeSettingsOf(health: HealthSettings): ProbeSettings {
  const every = health.table_stats_every;
  return { tableStatsEveryMs: every === 0 || every === '0' ? 0 : (parseDuration(every) ?? defaultProbeSettings.tableStatsEveryMs) };
}

/** Validated health settings. */
export type HealthSettings = z.output<typeof healthSettingsSchema>;

/** `targets:` as the given system modules shape it: a list per `many` system, an optional object per `one` system. */
export type TargetsOf<Systems extends readonly AnySystemModule[]> = {
  [Module in Systems[number] as Module['key']]: Module extends SystemModule<infer Target, string, infer Cardinality>
    ? Cardinality extends 'one'
      ? Target | undefined
      : Target[]
    : never;
};

/** Validated targets of the shipped systems, defaults filled in. */
export type TargetsConfig = TargetsOf<typeof shippedSystems>;

/** The targets of one system from a validated `targets:` block, as a list (a `one` system gives zero or one). */
export function targetsOf(targets: TargetsConfig, module: AnySystemModule): { name: string; optional?: boolean }[] {
  const value = (targets as unknown as Record<string, unknown>)[module.key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as { name: string; optional?: boolean }[];
}

/**
 * `targets:` in the config, folded over the system modules: everything `/maint health` checks.
 * Target names are unique across all systems, because `/maint health <name>` picks one.
 */
export function targetsSchemaFor(systems: readonly AnySystemModule[]): z.ZodType<TargetsConfig, unknown> {
  const shape = Object.fromEntries(
    systems.map((module) => [module.key, module.cardinality === 'one' ? module.targetSchema.optional() : z.array(module.targetSchema).default([])]),
  );
  return z
    .object(shape)
    .strict()
    .superRefine((targets, ctx) => {
      const firstUse = new Map<string, string>();
      for (const module of systems) {
        const value = (targets as Record<string, unknown>)[module.key];
        if (value === undefined) continue;
        const list = (Array.isArray(value) ? value : [value]) as { name: string }[];
        list.forEach((target, index) => {
          const where = module.cardinality === 'one' ? module.key : `${module.key}[${index}]`;
          const path = module.cardinality === 'one' ? [module.key, 'name'] : [module.key, index, 'name'];
          const earlier = firstUse.get(target.name);
          if (earlier === undefined) return void firstUse.set(target.name, where);
          ctx.addIssue({
            code: 'custom',
            path,
            message: `target name "${target.name}" is already used by ${earlier}; names must be unique because /maint health <name> picks one`,
          });
        });
      }
    }) as unknown as z.ZodType<TargetsConfig, unknown>;
}

/** `targets:` of the shipped systems. */
export const targetsSchema = targetsSchemaFor(shippedSystems);
