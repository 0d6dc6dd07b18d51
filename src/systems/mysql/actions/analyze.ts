import { z } from 'zod';
import type { ActionDefinition } from '../../../core/action.js';
import { UserError } from '../../../core/errors.js';
import { notice } from '../../../core/report.js';
import { formatBytes, formatSecondsTenths } from '../../../render/units.js';
import type { MysqlTarget } from '../target.js';
import { placeInputs } from './place.js';
import { runTableStatement } from './table-statement.js';
import { tableNameInput, withTable } from './tables.js';

const inputs = z.object({ ...placeInputs, table: tableNameInput });

/** Inputs of `mysql.analyze`. */
export type MysqlAnalyzeInput = z.output<typeof inputs>;

/**
 * `mysql.analyze`: ANALYZE TABLE on one table found in information_schema; safe, it runs at once (InnoDB
 * samples index pages under a read lock for a moment).
 */
export function mysqlAnalyzeAction(targets: readonly MysqlTarget[]): ActionDefinition<MysqlAnalyzeInput> {
  return {
    name: 'mysql.analyze',
    destructive: false,
    outputs: { durationMs: { type: 'number', description: 'how long ANALYZE TABLE took' }, table: { type: 'string', description: 'the table, as database.table' } },
    inputs,
    plan(input, context) {
      return withTable(targets, input, context.signal, async ({ target, table, figures }) => {
        return {
          summary: `ANALYZE TABLE ${table.schema}.${table.name} on target ${target.name}`,
          detail: [
            `SQL: ANALYZE TABLE ${table.quoted}`,
            `table: ${figures.engine ?? '?'}, ${formatBytes(figures.bytes)}, about ${figures.rows} rows`,
            'impact: reads index statistics; a read lock for a moment, reads and writes continue',
          ],
        };
      });
    },
    run(input, context) {
      return withTable(targets, input, context.signal, async ({ target, session, table }) => {
        await context.progress(`running ANALYZE TABLE ${table.quoted}`);
        const started = Date.now();
        const result = await runTableStatement(session, 'ANALYZE', table);
        const durationMs = Date.now() - started;
        if (!result.ok) throw new UserError(`ANALYZE TABLE ${table.schema}.${table.name} on target ${target.name} failed: ${result.messages.join('; ')}.`);
        const summary = `analyzed ${table.schema}.${table.name} in ${formatSecondsTenths(durationMs)}`;
        return {
          summary,
          message: notice('info', `${summary} (target ${target.name}).`, [`SQL: ANALYZE TABLE ${table.quoted}`, ...result.messages].join('\n')),
          output: { durationMs, table: `${table.schema}.${table.name}` },
        };
      });
    },
  };
}
