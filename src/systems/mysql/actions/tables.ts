import { distance } from 'fastest-levenshtein';
import { z } from 'zod';
import { UserError } from '../../../core/errors.js';
import type { MysqlSession } from '../connection.js';
import { systemSchemas } from '../probes/storage.js';
import type { MysqlTarget } from '../target.js';
import { databaseFor, resolveMysqlTarget, shown, withMaintenanceSession } from './place.js';

/** MySQL's limit on a database or table name. */
export const identifierMaxLength = 64;

/** A table found in `information_schema.TABLES`; `quoted` is safe to put into SQL. */
export interface MysqlTable {
  schema: string;
  name: string;
  engine: string | null;
  /** `CREATE_TIME` as ISO text, to tell a table from a new one of the same name; null where the engine keeps none. */
  created: string | null;
  /** `` `schema`.`name` ``, each part quoted with backticks. */
  quoted: string;
}

/** A table name as typed: `table` or `database.table`; it is only ever compared with information_schema. */
export const tableNameInput = z.string().min(1, 'must not be empty').max(200, 'is too long for a table name');

/** The planned table, as an approval request stores it. */
export const plannedTableSchema = z.object({ schema: z.string(), name: z.string(), engine: z.string().nullable(), created: z.string().nullable() });

/**
 * Refuses a name that cannot be a table this bot will touch: empty parts, NUL or other control characters,
 * backticks, more than 64 characters. Everything else is then looked up with parameters, never pasted.
 */
export function checkIdentifier(kind: 'table' | 'database', text: string): string {
  const problem =
    text === ''
      ? 'is empty'
      : [...text].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)
        ? 'contains a control character (such as NUL)'
        : text.includes('`')
          ? 'contains a backtick'
          : [...text].length > identifierMaxLength
            ? `is longer than MySQL's ${identifierMaxLength} characters`
            : undefined;
  if (problem) throw new UserError(`The ${kind} name ${shown(text)} ${problem}; nothing was run.`, `Write the ${kind} as it is in information_schema, e.g. appointments or shop.appointments.`);
  return text;
}

/** An identifier quoted with backticks; only ever given names `checkIdentifier` passed and information_schema returned. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A table from its information_schema row, with its quoted name. */
export function toTable(row: { schema: string; name: string; engine: string | null; created: string | null }): MysqlTable {
  return { ...row, quoted: `${quoteIdentifier(row.schema)}.${quoteIdentifier(row.name)}` };
}

/**
 * Finds the base table a user named (`database.table`, or `table` in `database`) in information_schema, with
 * parameters only; refuses a hostile or unknown name with a `UserError` that lists similar names.
 */
export async function resolveTable(session: MysqlSession, database: string | undefined, userText: string, where: string): Promise<MysqlTable> {
  const dot = userText.indexOf('.');
  const [schema, name] = dot > 0 && dot < userText.length - 1 ? [userText.slice(0, dot), userText.slice(dot + 1)] : [database, userText];
  checkIdentifier('table', name);
  if (schema === undefined) throw new UserError(`Name the database of table ${shown(userText)}: write database.table or pass --database.`, 'The target URL names no database.');
  checkIdentifier('database', schema);
  const rows = await session.query<{ schema: string; name: string; engine: string | null; created: Date | null }>(
    `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS name, ENGINE AS engine, CREATE_TIME AS created
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'`,
    [schema, name],
  );
  const found = rows.find((row) => row.schema === schema && row.name === name);
  if (found) return toTable({ ...found, created: found.created ? new Date(found.created).toISOString() : null });
  const similar = await similarTables(session, schema, name);
  throw new UserError(
    `No table named ${shown(userText)} in database ${shown(schema)} on ${where}; ` +
      (similar.length > 0 ? `tables with a similar name: ${similar.join(', ')}.` : 'no table has a similar name.'),
    'Write the table as it is in information_schema, e.g. appointments or shop.appointments.',
  );
}

/** True when the planned table still exists under its name, with the same engine and creation time. */
export async function tableStillAsPlanned(session: MysqlSession, planned: MysqlTable): Promise<boolean> {
  const rows = await session.query<{ engine: string | null; created: Date | null }>(
    `SELECT ENGINE AS engine, CREATE_TIME AS created FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'`,
    [planned.schema, planned.name],
  );
  const row = rows[0];
  return row !== undefined && row.engine === planned.engine && (row.created ? new Date(row.created).toISOString() : null) === planned.created;
}

async function similarTables(session: MysqlSession, schema: string, name: string): Promise<string[]> {
  const rows = await session.query<{ schema: string; name: string }>(
    `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS name FROM information_schema.TABLES
      WHERE TABLE_TYPE = 'BASE TABLE' AND TABLE_SCHEMA NOT IN (${systemSchemas.map(() => '?').join(', ')})`,
    systemSchemas,
  );
  const wanted = name.toLowerCase();
  return rows
    .map((row) => ({ label: row.schema === schema ? row.name : `${row.schema}.${row.name}`, score: distance(wanted, row.name.toLowerCase()) }))
    .filter((candidate) => candidate.score <= Math.max(2, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.score - b.score || a.label.localeCompare(b.label))
    .slice(0, 5)
    .map((candidate) => candidate.label);
}

/** Size, rows, free space and engine of one table, as a plan shows them. */
export async function tableFigures(session: MysqlSession, table: MysqlTable): Promise<{ bytes: number; free: number; rows: number; engine: string | null }> {
  const rows = await session.query<{ bytes: number | null; free: number | null; table_rows: number | null; engine: string | null }>(
    `SELECT DATA_LENGTH + INDEX_LENGTH AS bytes, DATA_FREE AS free, TABLE_ROWS AS table_rows, ENGINE AS engine
       FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`,
    [table.schema, table.name],
  );
  const row = rows[0];
  return { bytes: Number(row?.bytes ?? 0), free: Number(row?.free ?? 0), rows: Number(row?.table_rows ?? 0), engine: row?.engine ?? table.engine };
}

/** What a table action works on: its target, a maintenance connection, the table found and its figures. */
export interface TableAtHand {
  target: MysqlTarget;
  session: MysqlSession;
  table: MysqlTable;
  figures: Awaited<ReturnType<typeof tableFigures>>;
}

/** Resolves the target and the table an action's input names, on a maintenance connection, and runs `work` with them. */
export function withTable<T>(
  targets: readonly MysqlTarget[],
  input: { target?: string | undefined; database?: string | undefined; table: string },
  signal: AbortSignal,
  work: (found: TableAtHand) => Promise<T>,
): Promise<T> {
  const target = resolveMysqlTarget(targets, input.target);
  return withMaintenanceSession(target, signal, async (session) => {
    const table = await resolveTable(session, databaseFor(target, input.database), input.table, `target ${target.name}`);
    return work({ target, session, table, figures: await tableFigures(session, table) });
  });
}
