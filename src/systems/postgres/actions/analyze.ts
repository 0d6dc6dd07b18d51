import { z } from 'zod';
import type { ActionDefinition } from '../../../core/action.js';
import { notice } from '../../../core/report.js';
import type { PostgresTarget } from '../probe.js';
import { resolveRelation } from './catalog.js';
import { placeInputs, relationName } from './inputs.js';
import { withMaintenanceSession } from './session.js';
import { describeTableStats, readTableStats } from './stats.js';
import { describePlace, resolvePostgresPlace } from './target.js';
import { formatSecondsTenths } from '../../../render/units.js';

const inputs = z.object({ ...placeInputs, table: relationName });

/** Inputs of `postgres.analyze`. */
export type AnalyzeInput = z.output<typeof inputs>;

/** `postgres.analyze`: ANALYZE one table, found in the catalog by name; safe (a SHARE UPDATE EXCLUSIVE lock, reads and writes continue). */
export function postgresAnalyzeAction(targets: readonly PostgresTarget[]): ActionDefinition<AnalyzeInput> {
  return {
    name: 'postgres.analyze',
    destructive: false,
    outputs: { durationMs: { type: 'number', description: 'how long ANALYZE took' }, table: { type: 'string', description: 'the table, as schema.table' } },
    inputs,
    async plan(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      return withMaintenanceSession(place, context.signal, async ({ client }) => {
        const table = await resolveRelation(client, place, 'table', input.table);
        return {
          summary: `ANALYZE ${table.schema}.${table.name} in ${describePlace(place)}`,
          detail: [`SQL: ANALYZE ${table.quoted}`, ...describeTableStats(await readTableStats(client, table.oid)), 'impact: samples the table for the planner; reads and writes continue'],
        };
      });
    },
    async run(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      return withMaintenanceSession(place, context.signal, async (session) => {
        const table = await resolveRelation(session.client, place, 'table', input.table);
        const sql = `ANALYZE ${table.quoted}`;
        await context.progress(`running ${sql}`);
        const started = Date.now();
        await session.maintain(sql);
        const durationMs = Date.now() - started;
        const summary = `analyzed ${table.schema}.${table.name} in ${formatSecondsTenths(durationMs)}`;
        return { summary, message: notice('info', `${summary} (${describePlace(place)}).`, `SQL: ${sql}`), output: { durationMs, table: `${table.schema}.${table.name}` } };
      });
    },
  };
}
