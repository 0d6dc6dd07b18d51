import { z } from 'zod';
import type { ActionDefinition, AnyActionDefinition } from '../../../core/action.js';
import { notice } from '../../../core/report.js';
import { formatBytes, formatSecondsTenths } from '../../../render/units.js';
import type { PostgresTarget } from '../probe.js';
import { approvedData } from './approved.js';
import { relationStillNamed, toRelation } from './catalog.js';
import { emptyAsAbsent, placeInputs } from './inputs.js';
import { bloatedIndexes, databaseSizes, tablesOverDeadTuples } from './maintenance-candidates.js';
import { reindexSql } from './reindex.js';
import { withMaintenanceSession } from './session.js';
import { describePlace, postgresLockKey, resolvePostgresPlace } from './target.js';
import { vacuumSql } from './vacuum.js';

const number = <T extends z.ZodNumber>(schema: T, fallback: number) => z.preprocess((value) => emptyAsAbsent(value) ?? fallback, schema);

const vacuumDeadInputs = z.object({ ...placeInputs, min_dead_tuples: number(z.number().int().nonnegative(), 1000) });
const bloatInputs = z.object({ ...placeInputs, min_bloat: number(z.number().min(0).max(1), 0.3), min_bytes: number(z.number().int().nonnegative(), 1024 * 1024) });
const sizesInputs = z.object({ ...placeInputs, top: number(z.number().int().min(1).max(50), 5) });

/** Inputs of `postgres.vacuum-dead`. */
export type VacuumDeadInput = z.output<typeof vacuumDeadInputs>;
/** Inputs of `postgres.index-bloat` and `postgres.reindex-bloated`. */
export type IndexBloatInput = z.output<typeof bloatInputs>;

const relation = z.object({ oid: z.number(), schema: z.string(), name: z.string() });
const reindexPlan = z.object({ indexes: z.array(relation) });

/**
 * `postgres.vacuum-dead`: VACUUM (ANALYZE) every user table of a database with at least `min_dead_tuples`
 * dead tuples, one after another; the others are left alone. Safe: plain VACUUM blocks no reads or writes.
 */
function vacuumDeadAction(targets: readonly PostgresTarget[]): ActionDefinition<VacuumDeadInput> {
  return {
    name: 'postgres.vacuum-dead',
    destructive: false,
    inputs: vacuumDeadInputs,
    outputs: {
      vacuumed: { type: 'list', description: 'the tables vacuumed, as schema.table' },
      count: { type: 'number', description: 'how many tables were vacuumed' },
      deadTuples: { type: 'number', description: 'their dead tuples before, together' },
    },
    async plan(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      const tables = await withMaintenanceSession(place, context.signal, ({ client }) => tablesOverDeadTuples(client, input.min_dead_tuples));
      return {
        summary: `VACUUM (ANALYZE) the ${tables.length} table${tables.length === 1 ? '' : 's'} with at least ${input.min_dead_tuples} dead tuples in ${describePlace(place)}`,
        detail: tables.length > 0 ? tables.map((table) => `${table.schema}.${table.name}: ${table.deadTuples} dead, ${table.liveTuples} live`) : ['no table is over the threshold now'],
      };
    },
    async run(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      return withMaintenanceSession(place, context.signal, async (session) => {
        const tables = await tablesOverDeadTuples(session.client, input.min_dead_tuples);
        const started = Date.now();
        for (const [index, table] of tables.entries()) {
          await context.progress(`VACUUM (ANALYZE) ${table.schema}.${table.name} (${index + 1} of ${tables.length}, ${table.deadTuples} dead tuples)`);
          await session.maintain(vacuumSql(table, { full: false, analyze: true }));
        }
        const names = tables.map((table) => `${table.schema}.${table.name}`);
        const deadTuples = tables.reduce((sum, table) => sum + table.deadTuples, 0);
        return {
          summary:
            tables.length > 0
              ? `vacuumed ${tables.length} table${tables.length === 1 ? '' : 's'} over ${input.min_dead_tuples} dead tuples in ${formatSecondsTenths(Date.now() - started)}: ${names.join(', ')}`
              : `no table has ${input.min_dead_tuples} dead tuples or more`,
          output: { vacuumed: names, count: tables.length, deadTuples },
        };
      });
    },
  };
}

/** `postgres.index-bloat`: the B-tree indexes whose estimated bloat is over `min_bloat`, read-only. */
function indexBloatAction(targets: readonly PostgresTarget[]): ActionDefinition<IndexBloatInput> {
  return {
    name: 'postgres.index-bloat',
    destructive: false,
    inputs: bloatInputs,
    outputs: {
      indexes: { type: 'list', description: 'the bloated indexes, as schema.index' },
      count: { type: 'number', description: 'how many there are' },
      bytes: { type: 'number', description: 'their size together' },
    },
    async plan(input) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      return { summary: `find B-tree indexes over ${Math.round(input.min_bloat * 100)} % estimated bloat in ${describePlace(place)}`, detail: [] };
    },
    async run(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      const found = await withMaintenanceSession(place, context.signal, ({ client }) => bloatedIndexes(client, input.min_bloat, input.min_bytes));
      const bytes = found.reduce((sum, index) => sum + index.bytes, 0);
      const names = found.map((index) => `${index.schema}.${index.name}`);
      return {
        summary: found.length > 0 ? `${found.length} bloated index${found.length === 1 ? '' : 'es'} (${formatBytes(bytes)}): ${found.map(describeBloat).join(', ')}` : 'no index is bloated',
        output: { indexes: names, count: found.length, bytes },
      };
    },
  };
}

/**
 * `postgres.reindex-bloated`: REINDEX INDEX CONCURRENTLY each bloated index the plan lists, after approval; the
 * approved run rebuilds exactly the planned indexes (by oid, still so named), never a fresh selection.
 */
function reindexBloatedAction(targets: readonly PostgresTarget[]): ActionDefinition<IndexBloatInput> {
  return {
    name: 'postgres.reindex-bloated',
    destructive: true,
    inputs: bloatInputs,
    outputs: {
      reindexed: { type: 'list', description: 'the indexes rebuilt, as schema.index' },
      bytesBefore: { type: 'number', description: 'their size before, together' },
      bytesAfter: { type: 'number', description: 'the same after' },
    },
    async plan(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      const found = await withMaintenanceSession(place, context.signal, ({ client }) => bloatedIndexes(client, input.min_bloat, input.min_bytes));
      return {
        summary: `REINDEX INDEX CONCURRENTLY ${found.length} bloated index${found.length === 1 ? '' : 'es'} in ${describePlace(place)}`,
        detail: [
          ...(found.length === 0 ? [`no index is over ${Math.round(input.min_bloat * 100)} % estimated bloat now: nothing would be rebuilt`] : []),
          ...found.map((index) => `SQL: ${reindexSql('index', index)} — ${describeBloat(index)} (table ${index.table})`),
          'impact: builds new copies beside the old ones; reads and writes continue',
        ],
        lockKey: postgresLockKey(place.target),
        data: { indexes: found.map((index) => ({ oid: index.oid, schema: index.schema, name: index.name })) },
      };
    },
    async run(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      const planned = approvedData('postgres.reindex-bloated', reindexPlan, context);
      return withMaintenanceSession(place, context.signal, async (session) => {
        const indexes = planned ? planned.indexes.map(toRelation) : await bloatedIndexes(session.client, input.min_bloat, input.min_bytes);
        const size = async () => (await session.client.query<{ bytes: number }>('select coalesce(sum(pg_relation_size(oid)), 0)::float8 as bytes from pg_class where oid = any($1::float8[]::int8[]::oid[])', [indexes.map((index) => index.oid)])).rows[0]!.bytes;
        const bytesBefore = await size();
        const reindexed: string[] = [];
        for (const [position, index] of indexes.entries()) {
          if (!(await relationStillNamed(session.client, index))) continue;
          await context.progress(`${reindexSql('index', index)} (${position + 1} of ${indexes.length})`);
          await session.maintain(reindexSql('index', index));
          reindexed.push(`${index.schema}.${index.name}`);
        }
        const bytesAfter = await size();
        const summary = `reindexed ${reindexed.length} index${reindexed.length === 1 ? '' : 'es'} concurrently: ${formatBytes(bytesBefore)} → ${formatBytes(bytesAfter)}`;
        return { summary, message: notice('info', `${summary} (${describePlace(place)}).`, reindexed.join('\n')), output: { reindexed, bytesBefore, bytesAfter } };
      });
    },
  };
}

/** `postgres.sizes`: the database's size and its largest tables, read-only, for a before and after. */
function sizesAction(targets: readonly PostgresTarget[]): ActionDefinition<z.output<typeof sizesInputs>> {
  return {
    name: 'postgres.sizes',
    destructive: false,
    inputs: sizesInputs,
    outputs: {
      databaseBytes: { type: 'number', description: 'the database\'s size' },
      tables: { type: 'list', description: 'the largest tables with their size: [{name, bytes}]' },
    },
    async plan(input) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      return { summary: `read the size of ${describePlace(place)} and its ${input.top} largest tables`, detail: [] };
    },
    async run(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      const sizes = await withMaintenanceSession(place, context.signal, ({ client }) => databaseSizes(client, input.top));
      return {
        summary: `${place.database}: ${formatBytes(sizes.databaseBytes)}${sizes.tables.length > 0 ? `; largest ${sizes.tables.map((table) => `${table.name} ${formatBytes(table.bytes)}`).join(', ')}` : ''}`,
        output: sizes,
      };
    },
  };
}

function describeBloat(index: { schema: string; name: string; bytes: number; bloatRatio: number }): string {
  return `${index.schema}.${index.name} ${formatBytes(index.bytes)}, ~${Math.round(index.bloatRatio * 100)} % bloat`;
}

/** The actions of `db-maintenance`: vacuum the tables over a dead-tuple threshold, find and rebuild bloated indexes, sizes. */
export function postgresMaintenanceActions(targets: readonly PostgresTarget[]): AnyActionDefinition[] {
  return [vacuumDeadAction(targets), indexBloatAction(targets), reindexBloatedAction(targets), sizesAction(targets)];
}
