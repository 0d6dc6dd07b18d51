import type pg from 'pg';
import { UserError } from '../../../core/errors.js';
import { resolveRelation, type CatalogRelation, type RelationKind } from './catalog.js';
import type { PostgresPlace } from './target.js';

const systemSchemas = new Set(['pg_catalog', 'information_schema', 'pg_toast']);

/** True for PostgreSQL's own schemas: `pg_catalog`, `information_schema`, `pg_toast` and the per-session `pg_temp_N`, `pg_toast_temp_N`. */
export function isSystemSchema(schema: string): boolean {
  return systemSchemas.has(schema) || /^pg_(toast_)?temp(_\d+)?$/.test(schema);
}

/** True where PostgreSQL cannot REINDEX CONCURRENTLY: the system catalogs and TOAST tables. */
export function isCatalogSchema(schema: string): boolean {
  return schema === 'pg_catalog' || schema === 'pg_toast';
}

/**
 * `resolveRelation`, refusing a relation in a system schema unless `allowSystem` (the `--allow-system` of
 * vacuum and reindex, which then need approval) with a `UserError` that says how.
 */
export async function resolveMaintainedRelation(
  client: pg.Client,
  place: PostgresPlace,
  kind: RelationKind,
  userText: string,
  allowSystem: boolean,
): Promise<CatalogRelation> {
  const relation = await resolveRelation(client, place, kind, userText);
  if (isSystemSchema(relation.schema) && !allowSystem) {
    throw new UserError(
      `${relation.schema}.${relation.name} is in the system schema ${relation.schema}; maintbot leaves PostgreSQL's own ${kind === 'index' ? 'indexes' : 'tables'} alone unless you add --allow-system, and then a second person must approve.`,
      `Add --allow-system to ask for approval, or name ${kind === 'index' ? 'an index' : 'a table'} of your own schemas.`,
    );
  }
  return relation;
}

/** The card's line saying why a system relation needs approval; undefined for any other relation. */
export function systemSchemaReason(relation: Pick<CatalogRelation, 'schema' | 'name'>): string | undefined {
  if (!isSystemSchema(relation.schema)) return undefined;
  return `needs approval: --allow-system, and ${relation.schema}.${relation.name} is in the system schema ${relation.schema}, which every session's catalog lookups depend on`;
}
