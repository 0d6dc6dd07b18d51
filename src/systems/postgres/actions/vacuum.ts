import { z } from 'zod';
import { UserError } from '../../../core/errors.js';
import type { ActionDefinition } from '../../../core/action.js';
import type { PostgresTarget } from '../probe.js';
import { notice } from '../../../core/report.js';
import { approvedData } from './approved.js';
import { relationStillNamed, toRelation, type CatalogRelation } from './catalog.js';
import { placeInputs, relationName } from './inputs.js';
import { withMaintenanceSession } from './session.js';
import { resolveMaintainedRelation, systemSchemaReason } from './system-schemas.js';
import { describeTableStats, readTableStats } from './stats.js';
import { describePlace, postgresLockKey, resolvePostgresPlace } from './target.js';
import { formatBytes, formatSecondsTenths } from '../../../render/units.js';

const inputs = z.object({
  ...placeInputs,
  table: relationName,
  full: z.boolean().default(false),
  analyze: z.boolean().default(true),
  allow_system: z.boolean().default(false),
});

/** Inputs of `postgres.vacuum`. */
export type VacuumInput = z.output<typeof inputs>;

const relationData = z.object({ oid: z.number(), schema: z.string(), name: z.string() });
const planData = z.object({ table: relationData });

/** The exact VACUUM statement for a table found in the catalog. */
export function vacuumSql(table: CatalogRelation, input: Pick<VacuumInput, 'full' | 'analyze'>): string {
  const options = [input.full ? 'FULL' : undefined, input.analyze ? 'ANALYZE' : undefined].filter(Boolean);
  return `VACUUM ${options.length > 0 ? `(${options.join(', ')}) ` : ''}${table.quoted}`;
}

/**
 * `postgres.vacuum`: VACUUM (ANALYZE) one table, found in the catalog by name. Safe, except `full`:
 * VACUUM FULL takes an ACCESS EXCLUSIVE lock and rewrites the table, so it waits for approval; so does any
 * vacuum with `allow_system`, the only way to name a table in a system schema.
 */
export function postgresVacuumAction(targets: readonly PostgresTarget[]): ActionDefinition<VacuumInput> {
  return {
    name: 'postgres.vacuum',
    destructive: (input) => input.full || input.allow_system,
    inputs,
    outputs: {
      durationMs: { type: 'number', description: 'how long the VACUUM took' },
      bytesBefore: { type: 'number', description: 'table size with indexes and TOAST before' },
      bytesAfter: { type: 'number', description: 'the same after' },
      deadTuplesBefore: { type: 'number', description: 'dead tuples before' },
    },
    async plan(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      return withMaintenanceSession(place, context.signal, async ({ client }) => {
        const table = await resolveMaintainedRelation(client, place, 'table', input.table, input.allow_system);
        const stats = await readTableStats(client, table.oid);
        const impact = input.full
          ? `impact: ACCESS EXCLUSIVE lock on ${table.schema}.${table.name} (blocks reads and writes) while it is rewritten; needs up to ${formatBytes(stats.totalBytes)} free disk`
          : 'impact: no lock that blocks reads or writes; marks dead tuples reusable';
        return {
          summary: `${input.full ? 'VACUUM FULL' : 'VACUUM'} ${table.schema}.${table.name} in ${describePlace(place)}`,
          detail: [`SQL: ${vacuumSql(table, input)}`, ...describeTableStats(stats), impact, ...(input.allow_system ? [systemSchemaReason(table) ?? 'needs approval: --allow-system'] : [])],
          lockKey: postgresLockKey(place.target),
          data: { table: { oid: table.oid, schema: table.schema, name: table.name } },
        };
      });
    },
    async run(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      const planned = approvedData('postgres.vacuum', planData, context);
      return withMaintenanceSession(place, context.signal, async (session) => {
        const table = planned ? toRelation(planned.table) : await resolveMaintainedRelation(session.client, place, 'table', input.table, input.allow_system);
        if (planned && !(await relationStillNamed(session.client, table))) {
          throw new UserError(`The table ${table.schema}.${table.name} that was approved no longer exists as planned in ${describePlace(place)}; nothing was run.`);
        }
        const sql = vacuumSql(table, input);
        const before = await readTableStats(session.client, table.oid);
        await context.progress(`running ${sql}`);
        const started = Date.now();
        await session.maintain(sql);
        const durationMs = Date.now() - started;
        const after = await readTableStats(session.client, table.oid);
        const summary = `${input.full ? 'VACUUM FULL' : 'vacuumed'} ${table.schema}.${table.name} in ${formatSecondsTenths(durationMs)}: ${formatBytes(before.totalBytes)} → ${formatBytes(after.totalBytes)}`;
        return {
          summary,
          message: notice('info', `${summary} (${describePlace(place)}).`, `SQL: ${sql}\n${describeTableStats(after).join('\n')}`),
          output: { durationMs, bytesBefore: before.totalBytes, bytesAfter: after.totalBytes, deadTuplesBefore: before.deadTuples },
        };
      });
    },
  };
}
