import { access, constants, readdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../../core/errors.js';
import { runTool } from './child-process.js';

/** Where to look for `pg_dump` and `pg_restore`; tests point these at empty folders. */
export interface PgToolLookup {
  /** Folder of per-version installs, `<libDir>/<major>/bin` (Debian and Ubuntu): `/usr/lib/postgresql`. */
  libDir: string;
  /** The search path, as in `PATH`. */
  pathEnv: string;
}

/** The lookup of a normal install: versioned Debian folders first, then `PATH`. */
export function defaultPgToolLookup(): PgToolLookup {
  return { libDir: '/usr/lib/postgresql', pathEnv: process.env.PATH ?? '' };
}

/** A client tool found on this host, with its major version. */
export interface PgTool {
  path: string;
  major: number;
  version: string;
}

const cache = new Map<string, Promise<PgTool>>();

/**
 * Finds `tool` (`pg_dump` or `pg_restore`) of at least the server's major version: `<libDir>/<major>/bin`
 * first, then newer majors there, then `PATH`. Throws a `UserError` saying what was found and what to install.
 */
export function findPgTool(tool: 'pg_dump' | 'pg_restore', serverMajor: number, lookup: PgToolLookup = defaultPgToolLookup()): Promise<PgTool> {
  const key = JSON.stringify([tool, serverMajor, lookup]);
  let found = cache.get(key);
  if (!found) {
    found = locate(tool, serverMajor, lookup);
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

async function locate(tool: string, serverMajor: number, lookup: PgToolLookup): Promise<PgTool> {
  const older: PgTool[] = [];
  for (const candidate of await candidates(tool, serverMajor, lookup)) {
    const found = await versionOf(candidate);
    if (!found) continue;
    if (found.major >= serverMajor) return found;
    older.push(found);
  }
  const install = `install postgresql-client-${serverMajor} (it provides ${tool} in /usr/lib/postgresql/${serverMajor}/bin)`;
  if (older.length > 0) {
    const seen = older.map((tool) => `${tool.path} is ${tool.version}`).join('; ');
    throw new UserError(`${tool} is older than the PostgreSQL ${serverMajor} server, so it cannot be used (${seen}). Please ${install}.`);
  }
  throw new UserError(`${tool} was not found in ${lookup.libDir}/${serverMajor}/bin nor on the PATH. Please ${install}.`);
}

async function candidates(tool: string, serverMajor: number, lookup: PgToolLookup): Promise<string[]> {
  const majors = (await readdir(lookup.libDir).catch(() => [] as string[]))
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((major) => major >= serverMajor)
    .sort((a, b) => (a === serverMajor ? -1 : b === serverMajor ? 1 : a - b));
  const versioned = majors.map((major) => path.join(lookup.libDir, String(major), 'bin', tool));
  const onPath = lookup.pathEnv
    .split(path.delimiter)
    .filter((dir) => dir.length > 0)
    .map((dir) => path.join(dir, tool));
  const all: string[] = [];
  for (const file of [...versioned, ...onPath]) {
    if (all.includes(file)) continue;
    if (await access(file, constants.X_OK).then(() => true, () => false)) all.push(file);
  }
  return all;
}

async function versionOf(file: string): Promise<PgTool | undefined> {
  const result = await runTool(file, ['--version'], { captureStdout: true }).catch(() => undefined);
  const match = result?.code === 0 ? /(\d+)(?:\.(\d+))?/.exec(result.stdout.replace(/^[^)]*\)/, '')) : null;
  if (!match) return undefined;
  return { path: file, major: Number(match[1]), version: result!.stdout.trim() };
}
