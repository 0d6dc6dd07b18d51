import { distance } from 'fastest-levenshtein';
import type pg from 'pg';
import { UserError } from '../../../core/errors.js';
import { describePlace, shown, type PostgresPlace } from './target.js';
import { escapeIdentifier } from '../connection.js';

/** A table or index found in the catalog; `quoted` is safe to put into SQL. */
export interface CatalogRelation {
  oid: number;
  schema: string;
  name: string;
  /** `"schema"."name"`, each part quoted with `escapeIdentifier`. */
  quoted: string;
}

/** Which catalog entries a name may refer to. */
export type RelationKind = 'table' | 'index';

const relkinds: Record<RelationKind, string[]> = { table: ['r', 'm', 'p'], index: ['i', 'I'] };

/**
 * Finds the table or index a user named (`schema.name`, or `name` in the search path), using only
 * parameters; refuses anything not found with a `UserError` that lists similar names.
 */
export async function resolveRelation(
  client: pg.Client,
  place: PostgresPlace,
  kind: RelationKind,
  userText: string,
): Promise<CatalogRelation> {
  const { schema, name } = splitQualifiedName(userText);
  const { rows } = await client.query<{ oid: number; schema: string; name: string }>(
    `select c.oid::int8::float8 as oid, n.nspname as schema, c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relname = $1 and c.relkind = any($2::"char"[])
        and case when $3::text is null then n.nspname = any(current_schemas(false)) else n.nspname = $3 end
      order by array_position(current_schemas(false), n.nspname::name)
      limit 1`,
    [name, relkinds[kind], schema ?? null],
  );
  const found = rows[0];
  if (found) return toRelation(found);
  const similar = await similarNames(client, kind, userText);
  throw new UserError(
    `No ${kind} named ${shown(userText)} in ${describePlace(place)}; ` +
      (similar.length > 0 ? `${kind}s with a similar name: ${similar.join(', ')}.` : `no ${kind} has a similar name.`),
    kind === 'table' ? 'Write the table as it is in the catalog, e.g. orders or sales.orders.' : 'Write the index as it is in the catalog, e.g. orders_pkey.',
  );
}

/** The relation with this oid, when it still has the planned schema and name. */
export async function relationStillNamed(client: pg.Client, planned: CatalogRelation): Promise<boolean> {
  const { rows } = await client.query(
    `select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = $1::float8::int8::oid and n.nspname = $2 and c.relname = $3`,
    [planned.oid, planned.schema, planned.name],
  );
  return rows.length === 1;
}

/** A relation from catalog columns, with its quoted name. */
export function toRelation(row: { oid: number; schema: string; name: string }): CatalogRelation {
  return { ...row, quoted: `${escapeIdentifier(row.schema)}.${escapeIdentifier(row.name)}` };
}

function splitQualifiedName(text: string): { schema?: string; name: string } {
  const parts = text.split('.');
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return { schema: parts[0]!, name: parts[1]! };
  return { name: text };
}

const suggestionLimit = 5;

async function similarNames(client: pg.Client, kind: RelationKind, userText: string): Promise<string[]> {
  const { rows } = await client.query<{ schema: string; name: string; visible: boolean }>(
    `select n.nspname as schema, c.relname as name, n.nspname = any(current_schemas(false)) as visible
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = any($1::"char"[]) and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'`,
    [relkinds[kind]],
  );
  const wanted = userText.toLowerCase();
  const bareWanted = wanted.split('.').at(-1)!;
  return rows
    .map((row) => {
      const label = row.visible ? row.name : `${row.schema}.${row.name}`;
      const score = Math.min(distance(wanted, label.toLowerCase()), distance(bareWanted, row.name.toLowerCase()));
      const lowerName = row.name.toLowerCase();
      const related = lowerName.includes(bareWanted) || (lowerName.length >= 3 && bareWanted.includes(lowerName));
      return { label, score: related ? Math.min(score, 1) : score };
    })
    .filter((candidate) => candidate.score <= Math.max(2, Math.floor(bareWanted.length / 3)))
    .sort((a, b) => a.score - b.score || a.label.localeCompare(b.label))
    .slice(0, suggestionLimit)
    .map((candidate) => candidate.label);
}
