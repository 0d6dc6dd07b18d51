import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { chown, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The URL of the PostgreSQL server every machine and CI runs, for tests that need only a database of their own. */
export const sharedPostgres = 'postgres://postgres@127.0.0.1:5432';

/** A TCP port nothing listens on at the moment of the call. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `check` until it returns something other than undefined or false; fails with `what` after a generous deadline. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A redis-server of the test's own, on a free port, keeping nothing on disk. */
export interface OwnRedis {
  port: number;
  url: string;
  stop(): Promise<void>;
}

/** Starts a private redis-server; `stop()` kills it and removes its folder. */
export async function startOwnRedis(extraArgs: string[] = []): Promise<OwnRedis> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'maintbot-redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: () => stopChild(child).then(() => rm(dir, { recursive: true, force: true })),
  };
}

/** A PostgreSQL cluster of the test's own (initdb + pg_ctl into a temp folder), for checks that read server-wide state. */
export interface OwnPostgres {
  port: number;
  /** `postgres://postgres@127.0.0.1:<port>`, without a database. */
  server: string;
  /** The URL of one database on this cluster. */
  url(database?: string): string;
  /** The server's log so far (what `log_statement`, `log_connections`… wrote). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** The folder of the newest installed PostgreSQL binaries. */
async function postgresBin(): Promise<string> {
  const { stdout } = await run('sh', ['-c', 'ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1']);
  const bin = stdout.trim();
  if (!bin) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql/*/bin: install postgresql');
  return bin;
}

/** initdb refuses root: run the server tools as the postgres user when the tests run as root. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** Starts a private PostgreSQL cluster on a free port, trust auth, fsync off. */
export async function startOwnPostgres(settings: Record<string, string> = {}): Promise<OwnPostgres> {
  const bin = await postgresBin();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'maintbot-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const data = path.join(dir, 'data');
  await run(...asServerUser(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']));
  const port = await freePort();
  const options = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'];
  for (const [key, value] of Object.entries(settings)) options.push(`-c ${key}=${value}`);
  await run(...asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-o', options.join(' '), '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']));
  const server = `postgres://postgres@127.0.0.1:${port}`;
  return {
    port,
    server,
    url: (database = 'postgres') => `${server}/${database}`,
    log: () => readFile(path.join(dir, 'log'), 'utf8'),
    stop: async () => {
      await run(...asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A database of the test's own on a server, created now and dropped by `drop()`. */
export interface OwnDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates a uniquely named database on `server` (default: the shared local PostgreSQL). */
export async function createOwnDatabase(prefix: string, server = sharedPostgres): Promise<OwnDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await adminQuery(server, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  return {
    name,
    url: `${server}/${name}`,
    drop: () => adminQuery(server, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`),
  };
}

async function adminQuery(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${server}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** The MariaDB server every machine and CI runs, for tests that need only a database of their own. */
export const sharedMariadb = 'mysql://root@127.0.0.1:3306';

/** A MariaDB server of the test's own (mariadb-install-db + mariadbd into a temp folder), for checks that read server-wide state. */
export interface OwnMariadb {
  port: number;
  /** `mysql://root@127.0.0.1:<port>`, without a database. */
  server: string;
  /** The URL of one database on this server. */
  url(database?: string): string;
  stop(): Promise<void>;
}

/** Starts a private MariaDB on a free port (root without a password on 127.0.0.1); `options` are extra mariadbd options such as `max-connections=5`. */
export async function startOwnMariadb(options: string[] = []): Promise<OwnMariadb> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'maintbot-mariadb-'));
  const data = path.join(dir, 'data');
  const tmp = path.join(dir, 'tmp');
  await mkdir(tmp);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'mysql']);
    const { stdout: group } = await run('id', ['-g', 'mysql']);
    for (const owned of [dir, tmp]) await chown(owned, Number(stdout.trim()), Number(group.trim()));
  }
  const user = asRoot ? ['--user=mysql'] : [];
  await run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, `--tmpdir=${tmp}`, ...user, '--auth-root-authentication-method=normal', '--skip-test-db']);
  const port = await freePort();
  const child = spawn(
    '/usr/sbin/mariadbd',
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--tmpdir=${tmp}`,
      ...user,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--socket=${path.join(dir, 'mariadb.sock')}`,
      `--pid-file=${path.join(dir, 'mariadb.pid')}`,
      '--skip-name-resolve',
      '--skip-log-bin',
      '--innodb-buffer-pool-size=16M',
      '--innodb-log-file-size=8M',
      '--innodb-flush-log-at-trx-commit=0',
      ...options.map((option) => `--${option}`),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready for connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`mariadbd exited with ${code}: ${output.slice(-2000)}`)));
  });
  const server = `mysql://root@127.0.0.1:${port}`;
  await mariadbQuery(server, 'CREATE DATABASE test');
  return {
    port,
    server,
    url: (database = 'test') => `${server}/${database}`,
    stop: () => stopChild(child).then(() => rm(dir, { recursive: true, force: true })),
  };
}

/** A database of the test's own on a MariaDB server, created now and dropped by `drop()`. */
export async function createOwnMariadbDatabase(prefix: string, server = sharedMariadb): Promise<OwnDatabase> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await mariadbQuery(server, `CREATE DATABASE \`${name}\``);
  return { name, url: `${server}/${name}`, drop: async () => void (await mariadbQuery(server, `DROP DATABASE IF EXISTS \`${name}\``)) };
}

/** Runs statements on a MariaDB server (in the URL's database, if it names one) as its root, through the `mariadb` client. */
export async function mariadbQuery(server: string, sql: string): Promise<string> {
  const url = new URL(server);
  const database = url.pathname.length > 1 ? ['-D', decodeURIComponent(url.pathname.slice(1))] : [];
  const { stdout } = await run('mariadb', ['--no-defaults', '-h', url.hostname, '-P', url.port || '3306', '-u', decodeURIComponent(url.username), ...database, '-N', '-B', '-e', sql]);
  return stdout;
}
