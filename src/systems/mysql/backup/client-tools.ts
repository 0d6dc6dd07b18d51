import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../../core/errors.js';
import { runTool } from '../../../tools/child-process.js';

/** The dump and client programs installed: MariaDB's names first, else MySQL's. */
export interface MysqlTools {
  dump: string;
  client: string;
}

let found: Promise<MysqlTools> | undefined;

/** Finds `mariadb-dump`/`mariadb`, else `mysqldump`/`mysql`, on PATH; a `UserError` says what to install when neither is there. */
export function mysqlTools(): Promise<MysqlTools> {
  found ??= (async () => {
    const [dump, client] = await Promise.all([firstOnPath(['mariadb-dump', 'mysqldump']), firstOnPath(['mariadb', 'mysql'])]);
    if (!dump || !client) {
      found = undefined;
      throw new UserError('Neither mariadb-dump nor mysqldump (and their client) is installed on the bot host.', 'Install mariadb-client (or mysql-client).');
    }
    return { dump, client };
  })();
  return found;
}

async function firstOnPath(names: string[]): Promise<string | undefined> {
  for (const name of names) {
    const result = await runTool(name, ['--version'], { captureStdout: true }).catch(() => undefined);
    if (result?.code === 0) return name;
  }
  return undefined;
}

/** A `[client]` option file in a private temporary folder (mode 600), so no password is on a command line or in the environment. */
export interface DefaultsFile {
  /** `--defaults-extra-file=…`, which must come first among a tool's arguments. */
  argument: string;
  remove(): Promise<void>;
}

/** Writes the connection of `url` (host, port, user, password) into a defaults file only this process's user can read. */
export async function writeDefaultsFile(url: string): Promise<DefaultsFile> {
  const parsed = new URL(url);
  const dir = await mkdtemp(path.join(tmpdir(), 'maintbot-mysql-'));
  await chmod(dir, 0o700);
  const file = path.join(dir, 'client.cnf');
  const quote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = [
    '[client]',
    `host=${quote(parsed.hostname)}`,
    `port=${parsed.port || '3306'}`,
    `user=${quote(decodeURIComponent(parsed.username))}`,
    ...(parsed.password ? [`password=${quote(decodeURIComponent(parsed.password))}`] : []),
    'protocol=tcp',
  ];
  await writeFile(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return { argument: `--defaults-extra-file=${file}`, remove: () => rm(dir, { recursive: true, force: true }) };
}
