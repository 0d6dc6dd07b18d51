import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from './problems.js';
import { loadYamlFile } from './yaml-file.js';

/** A value read from one file, remembered with the file it came from for later cross-checks. */
export interface Located<T> {
  value: T;
  file: string;
  /** The line of a key path in the file, for problems found by later cross-checks. */
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** Reads every `*.yaml` file of a folder against a schema; collects the problems of all files before throwing. */
export async function loadYamlDirectory<S extends z.ZodType>(dir: string, schema: S): Promise<Located<z.output<S>>[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch {
    throw new ConfigError([{ file: dir, path: '', message: 'folder not found' }]);
  }
  const problems: ConfigProblem[] = [];
  const loaded: Located<z.output<S>>[] = [];
  for (const name of names) {
    const path = join(dir, name);
    try {
      let lineOf: Located<unknown>['lineOf'] = () => undefined;
      const value = await loadYamlFile(path, schema, { onLines: (found) => (lineOf = found) });
      loaded.push({ value, file: path, lineOf });
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return loaded;
}
