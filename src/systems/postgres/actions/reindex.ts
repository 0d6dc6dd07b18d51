import type pg from 'pg';
import { z } from 'zod';
import { UserError } from '../../../core/errors.js';
import { notice } from '../../../core/report.js';
import type { ActionDefinition } from '../../../core/action.js';
import type { PostgresTarget } from '../probe.js';
import { approvedData } from './approved.js';
import { relationStillNamed, toRelation, type CatalogRelation } from './catalog.js';
import { emptyAsAbsent, placeInputs, relationName } from './inputs.js';
import { withMaintenanceSession } from './session.js';
import { isCatalogSchema, resolveMaintainedRelation, systemSchemaReason } from './system-schemas.js';
import { describePlace, postgresLockKey, resolvePostgresPlace } from './target.js';
import { formatBytes, formatSecondsTenths } from '../../../render/units.js';

const inputs = z
  .object({
    ...placeInputs,
    index: z.preprocess(emptyAsAbsent, relationName.optional()),
    table: z.preprocess(emptyAsAbsent, relationName.optional()),
    allow_system: z.boolean().default(false),
  })
  .refine((input) => (input.index === undefined) !== (input.table === undefined), {
    message: 'name exactly one of index or table',
  });

/** Inputs of `postgres.reindex`. */
export type ReindexInput = z.output<typeof inputs>;

const planData = z.object({
  kind: z.enum(['index', 'table']),
  relation: z.object({ oid: z.number(), schema: z.string(), name: z.string() }),
});

/** The exact REINDEX statement for an index or table found in the catalog: CONCURRENTLY, except where PostgreSQL cannot. */
export function reindexSql(kind: 'index' | 'table', relation: CatalogRelation): string {
  return `REINDEX ${kind === 'index' ? 'INDEX' : 'TABLE'}${isCatalogSchema(relation.schema) ? '' : ' CONCURRENTLY'} ${relation.quoted}`;
}

interface IndexSize {
  name: string;
  bytes: number;
  valid: boolean;
}

/**
 * `postgres.reindex`: REINDEX INDEX or TABLE CONCURRENTLY, found in the catalog by name. Destructive: it
 * builds a second copy of each index (disk, I/O) and waits for every transaction that uses the table.
 */
export function postgresReindexAction(targets: readonly PostgresTarget[]): ActionDefinition<ReindexInput> {
  return {
    name: 'postgres.reindex',
    destructive: true,
    inputs,
    outputs: {
      durationMs: { type: 'number', description: 'how long the REINDEX took' },
      bytesBefore: { type: 'number', description: 'size of the rebuilt indexes before' },
      bytesAfter: { type: 'number', description: 'the same after' },
      indexes: { type: 'number', description: 'how many indexes were rebuilt' },
    },
    async plan(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      return withMaintenanceSession(place, context.signal, async ({ client }) => {
        const { kind, relation } = await resolveTarget(client, place, input);
        const sizes = await indexSizes(client, kind, relation);
        const total = sizes.reduce((sum, index) => sum + index.bytes, 0);
        return {
          summary: `REINDEX ${kind.toUpperCase()}${isCatalogSchema(relation.schema) ? '' : ' CONCURRENTLY'} ${relation.schema}.${relation.name} in ${describePlace(place)}`,
          detail: [
            `SQL: ${reindexSql(kind, relation)}`,
            ...(sizes.length > 0
              ? sizes.map((index) => `index ${index.name}: ${formatBytes(index.bytes)}${index.valid ? '' : ' (invalid)'}`)
              : ['the table has no indexes: nothing to rebuild']),
            isCatalogSchema(relation.schema)
              ? `impact: PostgreSQL cannot rebuild system catalogs concurrently, so this blocks writes to ${relation.schema}.${relation.name} while it runs`
              : `impact: builds new copies beside the old ones (needs about ${formatBytes(total)} free disk); reads and writes continue`,
            ...(systemSchemaReason(relation) === undefined ? [] : [systemSchemaReason(relation)!]),
          ],
          lockKey: postgresLockKey(place.target),
          data: { kind, relation: { oid: relation.oid, schema: relation.schema, name: relation.name } },
        };
      });
    },
    async run(input, context) {
      const place = resolvePostgresPlace(targets, input.target, input.database);
      const planned = approvedData('postgres.reindex', planData, context);
      return withMaintenanceSession(place, context.signal, async (session) => {
        const { kind, relation } = planned
          ? { kind: planned.kind, relation: toRelation(planned.relation) }
          : await resolveTarget(session.client, place, input);
        if (planned && !(await relationStillNamed(session.client, relation))) {
          throw new UserError(`The ${kind} ${relation.schema}.${relation.name} that was approved no longer exists as planned in ${describePlace(place)}; nothing was run.`);
        }
        const sql = reindexSql(kind, relation);
        const before = await indexSizes(session.client, kind, relation);
        await context.progress(`running ${sql}`);
        const started = Date.now();
        await session.maintain(sql);
        const durationMs = Date.now() - started;
        const after = await indexSizes(session.client, kind, relation);
        const bytes = (sizes: IndexSize[]) => sizes.reduce((sum, index) => sum + index.bytes, 0);
        const summary = `reindexed ${kind} ${relation.schema}.${relation.name}${isCatalogSchema(relation.schema) ? '' : ' concurrently'} in ${formatSecondsTenths(durationMs)}: ${formatBytes(bytes(before))} → ${formatBytes(bytes(after))}`;
        return {
          summary,
          message: notice('info', `${summary} (${describePlace(place)}).`, `SQL: ${sql}`),
          output: { durationMs, bytesBefore: bytes(before), bytesAfter: bytes(after), indexes: after.length },
        };
      });
    },
  };
}

async function resolveTarget(
  client: pg.Client,
  place: ReturnType<typeof resolvePostgresPlace>,
  input: ReindexInput,
): Promise<{ kind: 'index' | 'table'; relation: CatalogRelation }> {
  if (input.index !== undefined) return { kind: 'index', relation: await resolveMaintainedRelation(client, place, 'index', input.index, input.allow_system) };
  return { kind: 'table', relation: await resolveMaintainedRelation(client, place, 'table', input.table!, input.allow_system) };
}

async function indexSizes(client: pg.Client, kind: 'index' | 'table', relation: CatalogRelation): Promise<IndexSize[]> {
  const { rows } = await client.query<{ name: string; bytes: number; valid: boolean }>(
    `select c.relname as name, pg_relation_size(c.oid)::float8 as bytes, i.indisvalid as valid
       from pg_index i join pg_class c on c.oid = i.indexrelid
      where ${kind === 'index' ? 'i.indexrelid' : 'i.indrelid'} = $1::float8::int8::oid
      order by c.relname`,
    [relation.oid],
  );
  return rows;
}
