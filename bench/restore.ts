import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { VerificationLog } from '../src/systems/postgres/backup/checksum.js';
import { takeBackup } from '../src/systems/postgres/backup/dump.js';
import { defaultPgToolLookup, findPgTool } from '../src/systems/postgres/backup/pg-tools.js';
import { runRestoreTest } from '../src/systems/postgres/backup/restore-test.js';
import type { BackupTarget } from '../src/systems/postgres/backup/targets.js';
import { postgresTargetSchema } from '../src/systems/postgres/probe.js';
import type { BenchResult } from './result.js';
import { formatBytes } from '../src/render/units.js';

const server = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';
const database = 'maintbot_bench_restore';
const workDir = process.env.BENCH_RESTORE_DIR ?? path.join(tmpdir(), 'maintbot-bench-restore');
const minDumpBytes = 500 * 1024 * 1024;
const jobs = 2;
const tables = 4;
const rowsPerTable = 1_150_000;

async function withClient<T>(db: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(`${server}/${db}`);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Rows of random bytes (md5 of random() decoded from hex), so the custom-format dump cannot compress them much. */
async function ensureDatabase(): Promise<{ generatedMs?: number; sizeBytes: number }> {
  const ready = await withClient('postgres', async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) return false;
    return withClient(database, async (db) => {
      const rows = await db.query<{ n: string }>("select coalesce(sum(n_live_tup), 0) as n from pg_stat_user_tables where relname like 'bench_blob_%'");
      return Number(rows.rows[0]!.n) >= tables * rowsPerTable * 0.99;
    });
  });
  const started = Date.now();
  if (!ready) {
    await withClient('postgres', async (client) => {
      await client.query(`drop database if exists ${database} with (force)`);
      await client.query(`create database ${database}`);
    });
    await Promise.all(
      Array.from({ length: tables }, (_, index) =>
        withClient(database, (db) =>
          db.query(`create table bench_blob_${index} as
            select g as id, md5(g::text) as label,
                   decode(md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text)
                       || md5(random()::text) || md5(random()::text) || md5(random()::text) || md5(random()::text), 'hex') as payload
              from generate_series(1, ${rowsPerTable}) g;
            alter table bench_blob_${index} add primary key (id);
            analyze bench_blob_${index};`),
        ),
      ),
    );
  }
  const sizeBytes = await withClient(database, async (db) => Number((await db.query<{ n: string }>('select pg_database_size(current_database()) as n')).rows[0]!.n));
  return { ...(ready ? {} : { generatedMs: Date.now() - started }), sizeBytes };
}

function target(): BackupTarget {
  return postgresTargetSchema.parse({
    name: 'bench',
    url: `${server}/${database}`,
    backup: { dir: workDir, retention: { keep_last: 1 }, restore_test: { jobs, scratch_prefix: 'maintbot_bench_scratch_' } },
  }) as BackupTarget;
}

async function ensureDump(fresh: boolean): Promise<{ file: string; size: number; dumpMs?: number }> {
  await mkdir(workDir, { recursive: true });
  const existing = (await readdir(workDir)).filter((name) => name.endsWith('.dump')).sort().at(-1);
  if (existing && !fresh) {
    const size = (await stat(path.join(workDir, existing))).size;
    if (size >= minDumpBytes) return { file: path.join(workDir, existing), size };
  }
  const started = Date.now();
  const outcome = await takeBackup({ target: target(), database, lookup: defaultPgToolLookup(), signal: new AbortController().signal });
  return { file: outcome.file.path, size: outcome.file.size, dumpMs: Date.now() - started };
}

async function ensureGzip(file: string): Promise<{ file: string; size: number }> {
  const gz = path.join(workDir, 'seed-style.dump.gz');
  const [source, existing] = await Promise.all([stat(file), stat(gz).catch(() => undefined)]);
  if (!existing || existing.mtimeMs < source.mtimeMs) await pipeline(createReadStream(file), createGzip(), createWriteStream(gz));
  return { file: gz, size: (await stat(gz)).size };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`))));
  });
}

async function timedIntoFreshDatabase(name: string, restore: (url: string) => Promise<void>): Promise<number> {
  await withClient('postgres', (client) => client.query(`drop database if exists ${name} with (force)`));
  const started = performance.now();
  try {
    await withClient('postgres', (client) => client.query(`create database ${name} template template0`));
    await restore(`${server}/${name}`);
    return performance.now() - started;
  } finally {
    await withClient('postgres', (client) => client.query(`drop database if exists ${name} with (force)`));
  }
}

/**
 * Restore of a dump of at least 500 MB three ways: maintbot's restore test (checksum, list, pg_restore --jobs 2,
 * validation, drop), a bare `pg_restore --jobs 2` of the same file, and the seeds' `gunzip -c | pg_restore` stream.
 */
export async function benchRestore(): Promise<BenchResult> {
  const generated = await ensureDatabase();
  let dump = await ensureDump(false);
  if (dump.size < minDumpBytes) dump = await ensureDump(true);
  const gz = await ensureGzip(dump.file);
  const pgRestore = (await findPgTool('pg_restore', 15)).path;

  const maintbotStarted = performance.now();
  const result = await runRestoreTest({
    target: target(),
    database,
    backup: path.basename(dump.file),
    lookup: defaultPgToolLookup(),
    checksums: new VerificationLog(),
    signal: new AbortController().signal,
    progress: async () => {},
  });
  const maintbotMs = performance.now() - maintbotStarted;
  if (!result.passed) throw new Error(`the restore test failed: ${result.reason}`);

  const bareMs = await timedIntoFreshDatabase('maintbot_bench_bare', (url) =>
    run(pgRestore, [`--jobs=${jobs}`, '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${url}`, dump.file]),
  );
  const streamMs = await timedIntoFreshDatabase('maintbot_bench_stream', (url) =>
    run('sh', ['-c', `gunzip -c "$1" | "$2" --no-owner --no-privileges --exit-on-error --dbname="$3"`, 'sh', gz.file, pgRestore, url]),
  );
  const hashStarted = performance.now();
  await pipeline(createReadStream(dump.file), createHash('sha256'));
  const hashMs = performance.now() - hashStarted;
  const overheadPct = ((maintbotMs - bareMs) / bareMs) * 100;
  const rtoOverheadPct = (((result.restoreMs ?? 0) - bareMs) / bareMs) * 100;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return {
    name: 'restore test of a dump of at least 500 MB',
    method: `One custom-format dump of ${formatBytes(dump.size)} (${tables} tables of random bytes), restored three ways into fresh databases on the local PostgreSQL: maintbot's restore test end to end, a bare pg_restore --jobs ${jobs}, and the seeds' single-stream gunzip -c | pg_restore.`,
    figures: [
      { label: 'dump size (pg_dump -Fc)', value: formatBytes(dump.size) },
      { label: 'gzip of the dump (seed style)', value: formatBytes(gz.size) },
      { label: 'database size', value: formatBytes(generated.sizeBytes) },
      { label: 'maintbot restore test, end to end', value: s(maintbotMs) },
      { label: 'of which restore (RTO: create + pg_restore)', value: s(result.restoreMs ?? 0) },
      { label: `bare pg_restore --jobs ${jobs}`, value: s(bareMs) },
      { label: 'gunzip -c | pg_restore (single stream)', value: s(streamMs) },
      { label: 'orchestration overhead, end to end', value: `${overheadPct.toFixed(1)} %`, target: { text: '≤ 10 %', met: overheadPct <= 10 } },
      { label: 'overhead of the restore step alone', value: `${rtoOverheadPct.toFixed(1)} %` },
      { label: 'sha256 of the dump alone (what verification costs)', value: `${s(hashMs)} (${((hashMs / bareMs) * 100).toFixed(1)} % of bare pg_restore)` },
    ],
    notes: [
      generated.generatedMs === undefined ? 'the bench database existed already and was reused' : `generating the bench database took ${s(generated.generatedMs)}`,
      dump.dumpMs === undefined ? 'the dump existed already and was reused' : `maintbot's backup (pg_dump -Fc, sha256, row counts) took ${s(dump.dumpMs)}`,
      'the whole dump is hashed (sha256) before the scratch database is created, overlapped only with pg_restore --list and the server version check, which create nothing (issue 16: nothing is created until the dump is verified); end to end also includes exact row counts of every table and dropping the scratch database',
    ],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchRestore().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
