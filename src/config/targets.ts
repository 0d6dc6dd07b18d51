import { z } from 'zod';
import { backupTargetSchema } from '../health/probes/backup.js';
import { dockerTargetSchema } from '../health/probes/docker.js';
import { hostTargetSchema } from '../health/probes/host.js';
import { httpTargetSchema } from '../health/probes/http.js';
import { postgresTargetSchema } from '../health/probes/postgres.js';
import { redisTargetSchema } from '../health/probes/redis.js';
import { tlsTargetSchema } from '../health/probes/tls.js';

/** `health:` in the config: how long each probe may take before its target counts as unreachable. */
export const healthSettingsSchema = z
  .object({
    timeout_ms: z
      .number()
      .int('expected a whole number of milliseconds')
      .min(100, 'expected at least 100 ms')
      .max(60_000, 'expected at most 60000 ms: chat platforms give up long before that')
      .default(3000),
  })
  .strict();

/** Validated health settings. */
export type HealthSettings = z.output<typeof healthSettingsSchema>;

const targetLists = ['postgres', 'redis', 'docker', 'http', 'tls', 'backups'] as const;

/** `targets:` in the config: everything `/maint health` checks. Target names are unique across all systems. */
export const targetsSchema = z
  .object({
    host: hostTargetSchema.optional(),
    postgres: z.array(postgresTargetSchema).default([]),
    redis: z.array(redisTargetSchema).default([]),
    docker: z.array(dockerTargetSchema).default([]),
    http: z.array(httpTargetSchema).default([]),
    tls: z.array(tlsTargetSchema).default([]),
    backups: z.array(backupTargetSchema).default([]),
  })
  .strict()
  .superRefine((targets, ctx) => {
    const firstUse = new Map<string, string>();
    const claim = (name: string, where: string, path: (string | number)[]): void => {
      const earlier = firstUse.get(name);
      if (earlier === undefined) {
        firstUse.set(name, where);
        return;
      }
      ctx.addIssue({
        code: 'custom',
        path,
        message: `target name "${name}" is already used by ${earlier}; names must be unique because /maint health <name> picks one`,
      });
    };
    if (targets.host) claim(targets.host.name, 'host', ['host', 'name']);
    for (const list of targetLists) {
      targets[list].forEach((target, index) => claim(target.name, `${list}[${index}]`, [list, index, 'name']));
    }
  });

/** Validated targets, defaults filled in. */
export type TargetsConfig = z.output<typeof targetsSchema>;
