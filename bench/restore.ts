import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { fileDigest, VerificationLog, type ChecksumAlgorithm } from '../src/systems/postgres/backup/checksum.js';
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
    const hasXxh64 = await stat(path.join(workDir, `${existing}.xxh64`)).then(() => true, () => false);
    if (size >= minDumpBytes && hasXxh64) return { file: path.join(workDir, existing), size };
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

/** Milliseconds from each progress message of one restore test to the next (the last to the test's end). */
async function timedRestoreTest(dump: string): Promise<{ ms: number; restoreMs: number; phases: Map<string, number> }> {
  const marks: { text: string; at: number }[] = [];
  const started = performance.now();
  const result = await runRestoreTest({
    target: target(),
    database,
    backup: path.basename(dump),
    lookup: defaultPgToolLookup(),
    checksums: new VerificationLog(),
    signal: new AbortController().signal,
    progress: async (text) => void marks.push({ text: text.replace(/\d+/g, 'N'), at: performance.now() }),
  });
  const ms = performance.now() - started;
  if (!result.passed) throw new Error(`the restore test failed: ${result.reason}`);
  const phases = new Map<string, number>();
  marks.forEach((mark, index) => phases.set(mark.text, (marks[index + 1]?.at ?? started + ms) - mark.at));
  return { ms, restoreMs: result.restoreMs ?? 0, phases };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const rounds = Number(process.env.BENCH_RESTORE_ROUNDS ?? 3);

/**
 * Restore of a dump of at least 500 MB three ways: maintbot's restore test (checksum, list, pg_restore --jobs 2,
 * validation, drop), a bare `pg_restore --jobs 2` of the same file, and the seeds' `gunzip -c | pg_restore` stream.
 * maintbot and the bare restore alternate over `BENCH_RESTORE_ROUNDS` rounds (default 3), each round in the other
 * order, after one untimed run of each (cold caches, the first checkpoints); every timed run starts right after a
 * `CHECKPOINT`, so none pays for the dirty buffers the one before left; the overhead compares the sums.
 */
export async function benchRestore(): Promise<BenchResult> {
  const generated = await ensureDatabase();
  let dump = await ensureDump(false);
  if (dump.size < minDumpBytes) dump = await ensureDump(true);
  const gz = await ensureGzip(dump.file);
  const pgRestore = (await findPgTool('pg_restore', 15)).path;
  const bare = (): Promise<number> =>
    timedIntoFreshDatabase('maintbot_bench_bare', (url) =>
      run(pgRestore, [`--jobs=${jobs}`, '--exit-on-error', '--no-owner', '--no-privileges', `--dbname=${url}`, dump.file]),
    );

  const checkpoint = (): Promise<unknown> => withClient('postgres', (client) => client.query('checkpoint'));
  const maintbotRuns: Awaited<ReturnType<typeof timedRestoreTest>>[] = [];
  const bareRuns: number[] = [];
  await checkpoint();
  await timedRestoreTest(dump.file);
  await checkpoint();
  await bare();
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['maintbot', 'bare'] as const) : (['bare', 'maintbot'] as const);
    for (const which of order) {
      await checkpoint();
      if (which === 'maintbot') maintbotRuns.push(await timedRestoreTest(dump.file));
      else bareRuns.push(await bare());
    }
  }
  const streamMs = await timedIntoFreshDatabase('maintbot_bench_stream', (url) =>
    run('sh', ['-c', `gunzip -c "$1" | "$2" --no-owner --no-privileges --exit-on-error --dbname="$3"`, 'sh', gz.file, pgRestore, url]),
  );
  const hashMs: Record<ChecksumAlgorithm, number> = { sha256: 0, xxh64: 0 };
  for (const algorithm of ['sha256', 'xxh64'] as const) {
    const hashStarted = performance.now();
    await fileDigest(dump.file, algorithm);
    hashMs[algorithm] = performance.now() - hashStarted;
  }
  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  const maintbotMs = sum(maintbotRuns.map((runResult) => runResult.ms));
  const bareMs = sum(bareRuns);
  const overheadPct = ((maintbotMs - bareMs) / bareMs) * 100;
  const rtoOverheadPct = ((sum(maintbotRuns.map((runResult) => runResult.restoreMs)) - bareMs) / bareMs) * 100;
  const bareMedian = median(bareRuns);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const list = (values: number[]) => values.map((value) => (value / 1000).toFixed(2)).join(', ');
  const phaseNames = [...new Set(maintbotRuns.flatMap((runResult) => [...runResult.phases.keys()]))];
  return {
    name: 'restore test of a dump of at least 500 MB',
    method: `One custom-format dump of ${formatBytes(dump.size)} (${tables} tables of random bytes), restored three ways into fresh databases on the local PostgreSQL: maintbot's restore test end to end and a bare pg_restore --jobs ${jobs}, alternating over ${rounds} rounds after one untimed run of each, each timed run right after a CHECKPOINT, then once the seeds' single-stream gunzip -c | pg_restore.`,
    figures: [
      { label: 'dump size (pg_dump -Fc)', value: formatBytes(dump.size) },
      { label: 'gzip of the dump (seed style)', value: formatBytes(gz.size) },
      { label: 'database size', value: formatBytes(generated.sizeBytes) },
      { label: 'maintbot restore test, end to end (each round, s)', value: list(maintbotRuns.map((runResult) => runResult.ms)) },
      { label: `bare pg_restore --jobs ${jobs} (each round, s)`, value: list(bareRuns) },
      { label: 'maintbot restore test, end to end (median)', value: s(median(maintbotRuns.map((runResult) => runResult.ms))) },
      { label: 'of which restore (RTO: create + pg_restore, median)', value: s(median(maintbotRuns.map((runResult) => runResult.restoreMs))) },
      { label: `bare pg_restore --jobs ${jobs} (median)`, value: s(bareMedian) },
      ...phaseNames.map((phase) => ({ label: `phase "${phase}" (median)`, value: s(median(maintbotRuns.map((runResult) => runResult.phases.get(phase) ?? 0))) })),
      { label: 'gunzip -c | pg_restore (single stream)', value: s(streamMs) },
      { label: 'orchestration overhead, end to end (sums of the rounds)', value: `${overheadPct.toFixed(1)} %`, target: { text: '≤ 10 %', met: overheadPct <= 10 } },
      { label: 'overhead of the restore step alone', value: `${rtoOverheadPct.toFixed(1)} %` },
      { label: 'XXH64 of the dump alone (what verification costs)', value: `${s(hashMs.xxh64)} (${((hashMs.xxh64 / bareMedian) * 100).toFixed(1)} % of bare pg_restore)` },
      { label: 'sha256 of the dump alone (the fallback for older dumps)', value: `${s(hashMs.sha256)} (${((hashMs.sha256 / bareMedian) * 100).toFixed(1)} % of bare pg_restore)` },
    ],
    notes: [
      generated.generatedMs === undefined ? 'the bench database existed already and was reused' : `generating the bench database took ${s(generated.generatedMs)}`,
      dump.dumpMs === undefined ? 'the dump existed already and was reused' : `maintbot's backup (pg_dump -Fc, sha256 + XXH64, row counts) took ${s(dump.dumpMs)}`,
      'the whole dump is hashed (XXH64, recorded at backup time) before the scratch database is created, overlapped only with pg_restore --list and the server version check, which create nothing; end to end also includes exact row counts of every table (over restore_test.jobs connections) and dropping the scratch database',
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
