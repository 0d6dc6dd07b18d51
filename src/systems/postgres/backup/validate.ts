import type pg from 'pg';
import { errorMessage } from '../../../core/errors.js';
import type { RestoreCheck } from './config.js';
import type { TableCount } from './files.js';
import { tableLabel } from './row-counts.js';
import type { CheckVerdict, TableVerdict } from '../../../tools/restore-report.js';

export type { CheckVerdict, TableVerdict };

/**
 * Compares the restored tables (their exact counts) with the expected ones: every expected table must be present,
 * and its row count within `tolerancePct` % of the expected count (exactly, at 0). `expected` without counts
 * checks presence only.
 */
export function compareTables(
  counted: readonly TableCount[],
  expected: readonly (Omit<TableCount, 'rows'> & { rows?: number })[],
  tolerancePct: number,
): TableVerdict[] {
  const restored = new Map(counted.map((table) => [tableLabel(table), table.rows]));
  return expected.map((table) => {
    const label = tableLabel(table);
    const rows = restored.get(label);
    if (rows === undefined) return { table: label, expected: table.rows, passed: false, reason: 'missing after the restore' };
    if (table.rows === undefined) return { table: label, restored: rows, passed: true };
    const allowed = Math.floor((table.rows * tolerancePct) / 100);
    const passed = Math.abs(rows - table.rows) <= allowed;
    const within = tolerancePct > 0 ? ` (tolerance ${tolerancePct} %)` : '';
    return passed
      ? { table: label, expected: table.rows, restored: rows, passed }
      : { table: label, expected: table.rows, restored: rows, passed, reason: `${rows} rows restored, ${table.rows} expected${within}` };
  });
}

/**
 * Runs each configured check as one prepared statement (so a check is exactly one query) in a read-only
 * transaction; each must return exactly one boolean, and true to pass.
 */
export async function runChecks(client: pg.Client, checks: readonly RestoreCheck[]): Promise<CheckVerdict[]> {
  const verdicts: CheckVerdict[] = [];
  for (const [index, check] of checks.entries()) {
    try {
      await client.query('begin read only');
      const result = await client.query({ name: `maintbot_check_${index}`, text: check.sql, rowMode: 'array' });
      const value = result.rows.length === 1 && result.fields.length === 1 ? (result.rows[0] as unknown[])[0] : undefined;
      if (typeof value !== 'boolean') {
        verdicts.push({ name: check.name, passed: false, reason: `returned ${describeShape(result)}; a check must return one boolean` });
      } else {
        verdicts.push(value ? { name: check.name, passed: true } : { name: check.name, passed: false, reason: 'returned false' });
      }
    } catch (error) {
      verdicts.push({ name: check.name, passed: false, reason: `failed: ${errorMessage(error).slice(0, 200)}` });
    } finally {
      await client.query('rollback').catch(() => undefined);
    }
  }
  return verdicts;
}

function describeShape(result: pg.QueryResult): string {
  if (result.rows.length !== 1) return `${result.rows.length} rows`;
  if (result.fields.length !== 1) return `${result.fields.length} columns`;
  return `a ${typeof (result.rows[0] as unknown[])[0]} value`;
}
