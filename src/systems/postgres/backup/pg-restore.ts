import { tableOfEntry } from './archive.js';
import { runTool, stderrTail } from './child-process.js';
import { toolConnection } from './connection.js';
import { withoutPassword } from '../../../core/mask.js';

/** One `pg_restore` of a custom-format dump into an existing, empty database. */
export interface RestoreArchiveRequest {
  pgRestore: string;
  file: string;
  /** The server URL; the password goes into the environment, never onto the command line. */
  url: string;
  database: string;
  jobs: number;
  /** A scratch restore skips owners and privileges, whose roles may not exist on the restore-test server. */
  scratch: boolean;
  signal: AbortSignal;
  /**
   * Told as soon as each of these tables' data is restored and committed, while `pg_restore` goes on with the
   * rest (indexes, constraints, other tables): runs pg_restore with `--verbose` and reads its progress lines.
   */
  onTableData?: { entries: ReadonlyMap<number, string>; restored: (table: { schema: string; name: string }) => void };
}

const progressLine = /^pg_restore: (?!error:|warning:|detail:|hint:)/;
const finishedTableData = /^pg_restore: finished item (\d+) TABLE DATA (.+)$/;

/** Runs `pg_restore --jobs N --exit-on-error`; `ok: false` with pg_restore's last words when it fails. */
export async function restoreArchive(request: RestoreArchiveRequest): Promise<{ ok: true } | { ok: false; reason: string }> {
  const connection = toolConnection(request.url, request.database, request.scratch ? 'maintbot-restore-test' : 'maintbot-restore');
  const watched = request.onTableData;
  const onStderrLine = watched
    ? (line: string): boolean => {
        const finished = finishedTableData.exec(line);
        const listed = finished ? watched.entries.get(Number(finished[1])) : undefined;
        const table = listed !== undefined ? tableOfEntry(listed, finished![2]!) : undefined;
        if (table) watched.restored(table);
        return !progressLine.test(line);
      }
    : undefined;
  const args = [
    ...(watched ? ['--verbose'] : []),
    `--jobs=${request.jobs}`,
    '--exit-on-error',
    '--no-password',
    ...(request.scratch ? ['--no-owner', '--no-privileges'] : []),
    `--dbname=${connection.dbname}`,
    request.file,
  ];
  const result = await runTool(request.pgRestore, args, { env: connection.env, signal: request.signal, ...(onStderrLine ? { onStderrLine } : {}) });
  request.signal.throwIfAborted();
  if (result.code === 0) return { ok: true };
  return { ok: false, reason: withoutPassword(stderrTail(result.stderr), request.url) };
}
