import { UserError } from '../../../core/errors.js';
import { runTool, stderrTail } from './child-process.js';

/** What `pg_restore --list` says an archive holds. */
export interface ArchiveContents {
  /** Tables the archive creates, as `schema.name`. */
  tables: { schema: string; name: string }[];
  /** Entries in its table of contents. */
  entries: number;
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
  return { tables, entries: lines.length };
}
