#!/usr/bin/env node
// Compiles src/ into dist/ (tsc -p tsconfig.build.json) and stamps the build with the hash of what it was
// built from, so `npm start` (scripts/start.mjs) reuses dist/ while the sources are unchanged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

/** What the build reads: every file under src/, the TypeScript settings and the locked dependencies. */
export const stampInputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

const stampFile = join('dist', '.build-stamp');
const lockDir = '.build.lock';
const lockPollMs = 200;

/** The sha256 of every stamp input under `root` (paths and contents, in sorted order); a missing input counts as absent. */
export async function sourceStamp(root) {
  const hash = createHash('sha256');
  const files = (await Promise.all(stampInputs.map((input) => filesUnder(root, input)))).flat().sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(await readFile(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

async function filesUnder(root, path) {
  const info = await stat(join(root, path)).catch(() => undefined);
  if (!info) return [];
  if (!info.isDirectory()) return [path.split(sep).join('/')];
  const entries = await readdir(join(root, path), { withFileTypes: true });
  return (await Promise.all(entries.map((entry) => filesUnder(root, join(path, entry.name))))).flat();
}

/** The stamp dist/ was built from, if any. */
async function builtStamp(root) {
  return (await readFile(join(root, stampFile), 'utf8').catch(() => '')).trim() || undefined;
}

/**
 * Makes dist/ match the sources under `root`: nothing when its stamp equals the sources' stamp, else a fresh
 * build (dist/ emptied first, so a deleted source leaves no module behind). A tree without src/ (the image)
 * runs its dist/ as it is. One build at a time: concurrent starts wait on a lock directory, then look again.
 * Returns what it did: 'fresh', 'built' or 'prebuilt'.
 */
export async function ensureBuilt(root, { force = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (!existsSync(join(root, 'src'))) return 'prebuilt';
  if (!force && (await builtStamp(root)) === (await sourceStamp(root))) return 'fresh';
  await takeLock(root);
  try {
    const stamp = await sourceStamp(root);
    if (!force && (await builtStamp(root)) === stamp) return 'fresh';
    log(`maintbot: building dist/ from src/ (${existsSync(join(root, stampFile)) ? 'the sources changed' : 'first start'})…`);
    await rm(join(root, 'dist'), { recursive: true, force: true });
    compile(root);
    await writeFile(join(root, stampFile), `${stamp}\n`);
    return 'built';
  } finally {
    await rm(join(root, lockDir), { recursive: true, force: true });
  }
}

function compile(root) {
  let tsc;
  try {
    tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    throw new Error('dist/ is missing or older than src/, and TypeScript is not installed to build it: run npm ci (with the dev dependencies)');
  }
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`the build failed (tsc -p tsconfig.build.json exited with ${result.signal ?? result.status})`);
}

/** Takes the build lock (a directory, created atomically); a lock whose process is gone is taken over. */
async function takeLock(root) {
  const path = join(root, lockDir);
  for (;;) {
    try {
      await mkdir(path);
      await writeFile(join(path, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(join(path, 'pid'), 'utf8').catch(() => ''));
    if (holder && !alive(holder)) await rm(path, { recursive: true, force: true });
    else await sleep(lockPollMs);
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The repository this script belongs to. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await ensureBuilt(repoRoot, { force: true, log: () => undefined });
    process.stderr.write(`built ${relative(process.cwd(), join(repoRoot, 'dist')) || 'dist'}/\n`);
  } catch (error) {
    process.stderr.write(`maintbot: ${error.message}\n`);
    process.exitCode = 1;
  }
}
