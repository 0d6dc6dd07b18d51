#!/usr/bin/env node
// Bundles src/ into dist/ (esbuild; `npm run lint` type-checks) and stamps the build with the hash of what it was
// built from, so `npm start` (scripts/start.mjs) reuses dist/ while the sources are unchanged.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL, URL } from 'node:url';

/** What the build reads: every file under src/, the TypeScript settings and the locked dependencies. */
export const stampInputs = ['src', 'scripts/build.mjs', 'tsconfig.json', 'package.json', 'package-lock.json'];

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
    await compile(root);
    await writeFile(join(root, stampFile), `${stamp}\n`);
    return 'built';
  } finally {
    await rm(join(root, lockDir), { recursive: true, force: true });
  }
}

/**
 * The packages bundled into dist/: small, pure-JavaScript libraries loaded at every start, whose hundreds of
 * modules cost more memory as separate ES modules than as one (zod alone is 293). Every other dependency stays
 * an import of node_modules, loaded only when the bot uses it (a chat platform, a system's client).
 */
export const bundledPackages = ['zod', 'yaml', 'croner', 'fastest-levenshtein'];

/** CommonJS packages bundled into ES modules (yaml's Node build) still call require() for Node's built-ins. */
const requireBanner = "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);";

/**
 * Whitespace and syntax are minified (V8 keeps every module's source in memory: 2 MB less heap), names are not, so
 * a stack trace still names its functions; `node --enable-source-maps dist/main.js` maps it back to src/.
 */
const minified = { minifyWhitespace: true, minifySyntax: true, sourcemap: 'linked' };

/**
 * zod re-exports every one of its locales (`z.locales`, `z.core.locales`: 290 KB of the bundle, kept because the
 * namespace objects are); maintbot speaks English only, so that index resolves to English alone.
 */
const englishOnlyZod = {
  name: 'english-only-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir) ? { path: 'zod-locales', namespace: 'english-only-zod' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'english-only-zod' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: build.initialOptions.absWorkingDir,
    }));
  },
};

/** The programs dist/ holds: the bot and the image's health check (a tree without one builds the others). */
const entryPoints = ['src/main.ts', 'src/observability/healthcheck.ts'];

async function compile(root) {
  const required = createRequire(join(root, 'package.json'));
  let esbuild;
  try {
    esbuild = await import(pathToFileURL(required.resolve('esbuild')).href);
  } catch {
    throw new Error('dist/ is missing or older than src/, and esbuild is not installed to build it: run npm ci (with the dev dependencies)');
  }
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  const external = Object.keys(manifest.dependencies ?? {}).filter((name) => !bundledPackages.includes(name));
  try {
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: entryPoints.filter((entry) => existsSync(join(root, entry))),
      outbase: 'src',
      outdir: 'dist',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      chunkNames: 'chunks/[name]-[hash]',
      external: external.flatMap((name) => [name, `${name}/*`]),
      logLevel: 'silent',
      ...minified,
      banner: { js: requireBanner },
      plugins: [englishOnlyZod],
    });
  } catch (error) {
    const problems = (error.errors ?? []).map((problem) => `${problem.location ? `${problem.location.file}:${problem.location.line}: ` : ''}${problem.text}`);
    throw new Error(`the build failed (esbuild): ${problems.join('; ') || error.message}`, { cause: error });
  }
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
