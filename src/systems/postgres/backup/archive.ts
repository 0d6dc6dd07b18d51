import { UserError } from '../../../core/errors.js';
import { runTool, stderrTail } from './child-process.js';

/** What `pg_restore --list` says an archive holds. */
export interface ArchiveContents {
  /** Tables the archive creates, as `schema.name`. */
  tables: { schema: string; name: string }[];
  /** Entries in its table of contents. */
  entries: number;
  /**
   * Each table data entry (`TABLE DATA`) by its dump id, which `pg_restore --verbose` names in its progress, with the
   * rest of its `--list` line (`<schema> <table> <owner>`; names may hold spaces, so `tableOfEntry` reads it).
   */
  tableData: Map<number, string>;
}

/**
 * Reads the archive's table of contents with `pg_restore --list`; a `UserError` quoting pg_restore when the file
 * is not a readable custom-format archive.
 */
export async function listArchive(pgRestore: string, file: string, signal?: AbortSignal): Promise<ArchiveContents> {
  const result = await runTool(pgRestore, ['--list', file], { captureStdout: true, signal });
  if (result.code !== 0) throw new UserError(`pg_restore --list cannot read the archive: ${stderrTail(result.stderr)}.`);
  const lines = result.stdout.split('\n').filter((line) => /^\d+;/.test(line));
  const tables = lines
    .map((line) => /^\d+; \d+ \d+ TABLE (\S+) (\S+) /.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ schema: match[1]!, name: match[2]! }));
  const tableData = new Map(
    lines
      .map((line) => /^(\d+); \d+ \d+ TABLE DATA (.+)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [Number(match[1]), match[2]!] as const),
  );
  return { tables, entries: lines.length, tableData };
}

/**
 * The table of a `TABLE DATA` entry, from its `--list` rest (`<schema> <table> <owner>`) and its tag as `pg_restore
 * --verbose` prints it (the table's name): the schema is what comes before the name. Undefined when they disagree.
 */
export function tableOfEntry(listed: string, tag: string): { schema: string; name: string } | undefined {
  const at = listed.lastIndexOf(` ${tag} `);
  const end = at >= 0 ? at : listed.endsWith(` ${tag}`) ? listed.length - tag.length - 1 : -1;
  if (end <= 0) return undefined;
  return { schema: listed.slice(0, end), name: tag };
}
