import { z } from 'zod';
import type { ActionDefinition } from '../../../core/action.js';
import { UserError } from '../../../core/errors.js';
import { notice } from '../../../core/report.js';
import { formatBytes, formatSecondsTenths } from '../../../render/units.js';
import type { MysqlTarget } from '../target.js';
import { approvedData } from '../../../core/action-inputs.js';
import { databaseFor, mysqlLockKey, placeInputs, resolveMysqlTarget, withMaintenanceSession } from './place.js';
import { runTableStatement } from './table-statement.js';
import { plannedTableSchema, resolveTable, tableFigures, tableNameInput, tableStillAsPlanned, toTable, withTable } from './tables.js';

const inputs = z.object({ ...placeInputs, table: tableNameInput });

/** Inputs of `mysql.optimize`. */
export type MysqlOptimizeInput = z.output<typeof inputs>;

const planData = z.object({ table: plannedTableSchema });

/** What OPTIMIZE TABLE locks, by storage engine. */
export function optimizeImpact(engine: string | null, bytes: number): string {
  if (engine === 'InnoDB') {
    return `impact: InnoDB rebuilds the table (ALTER TABLE … FORCE, online): reads and writes continue, with a short exclusive metadata lock at the start and the end; needs about ${formatBytes(bytes)} free disk`;
  }
  return `impact: ${engine ?? 'this engine'} locks the table for the whole run: writes (and on MyISAM/Aria reads too) wait until it ends`;
}

/**
 * `mysql.optimize`: OPTIMIZE TABLE on one table found in information_schema, after approval; the card shows
 * the table's size, free space, engine and what it locks. `run` acts on the planned table only if it still
 * exists with the same engine and creation time.
 */
export function mysqlOptimizeAction(targets: readonly MysqlTarget[]): ActionDefinition<MysqlOptimizeInput> {
  return {
    name: 'mysql.optimize',
    destructive: true,
    outputs: {
      durationMs: { type: 'number', description: 'how long OPTIMIZE TABLE took' },
      freeBefore: { type: 'number', description: 'bytes free inside the table before' },
      freeAfter: { type: 'number', description: 'the same after' },
    },
    inputs,
    plan(input, context) {
      return withTable(targets, input, context.signal, async ({ target, table, figures }) => {
        return {
          summary: `OPTIMIZE TABLE ${table.schema}.${table.name} on target ${target.name}`,
          detail: [
            `SQL: OPTIMIZE TABLE ${table.quoted}`,
            `table: ${figures.engine ?? '?'}, ${formatBytes(figures.bytes)} (data and indexes), ${formatBytes(figures.free)} free inside, about ${figures.rows} rows`,
            optimizeImpact(figures.engine, figures.bytes),
          ],
          lockKey: mysqlLockKey(target),
          data: { table: { schema: table.schema, name: table.name, engine: table.engine, created: table.created } },
        };
      });
    },
    async run(input, context) {
      const target = resolveMysqlTarget(targets, input.target);
      const planned = approvedData('mysql.optimize', planData, context);
      return withMaintenanceSession(target, context.signal, async (session) => {
        const table = planned ? toTable(planned.table) : await resolveTable(session, databaseFor(target, input.database), input.table, `target ${target.name}`);
        if (planned && !(await tableStillAsPlanned(session, table))) {
          throw new UserError(`The table ${table.schema}.${table.name} that was approved no longer exists as planned on target ${target.name}; nothing was run.`);
        }
        const before = await tableFigures(session, table);
        await context.progress(`running OPTIMIZE TABLE ${table.quoted}`);
        const started = Date.now();
        const result = await runTableStatement(session, 'OPTIMIZE', table);
        const durationMs = Date.now() - started;
        if (!result.ok) throw new UserError(`OPTIMIZE TABLE ${table.schema}.${table.name} on target ${target.name} failed: ${result.messages.join('; ')}.`);
        const after = await tableFigures(session, table);
        const summary = `optimized ${table.schema}.${table.name} in ${formatSecondsTenths(durationMs)}: ${formatBytes(before.free)} → ${formatBytes(after.free)} free inside`;
        return {
          summary,
          message: notice('info', `${summary} (target ${target.name}).`, [`SQL: OPTIMIZE TABLE ${table.quoted}`, ...result.messages].join('\n')),
          output: { durationMs, freeBefore: before.free, freeAfter: after.free },
        };
      });
    },
  };
}
