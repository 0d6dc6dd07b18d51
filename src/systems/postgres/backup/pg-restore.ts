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
}

/** Runs `pg_restore --jobs N --exit-on-error`; `ok: false` with pg_restore's last words when it fails. */
export async function restoreArchive(request: RestoreArchiveRequest): Promise<{ ok: true } | { ok: false; reason: string }> {
  const connection = toolConnection(request.url, request.database, request.scratch ? 'maintbot-restore-test' : 'maintbot-restore');
  const args = [
    `--jobs=${request.jobs}`,
    '--exit-on-error',
    '--no-password',
    ...(request.scratch ? ['--no-owner', '--no-privileges'] : []),
    `--dbname=${connection.dbname}`,
    request.file,
  ];
  const result = await runTool(request.pgRestore, args, { env: connection.env, signal: request.signal });
  request.signal.throwIfAborted();
  if (result.code === 0) return { ok: true };
  return { ok: false, reason: withoutPassword(stderrTail(result.stderr), request.url) };
}
