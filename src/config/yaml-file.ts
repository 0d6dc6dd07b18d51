import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { closest } from 'fastest-levenshtein';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { syntaxErrorOffset } from './yaml-syntax.js';
import type { z } from 'zod';
import { ConfigError, formatPath, type ConfigProblem } from './problems.js';
import { interpolateEnvironment } from './interpolate.js';

/** Options for reading one YAML file against a schema. */
export interface YamlFileOptions {
  /** Variables for `${NAME}` references; none are expanded when absent. */
  env?: NodeJS.ProcessEnv;
  /** How the file is named in messages; defaults to its path relative to the working directory. */
  displayName?: string;
  /** What to do about a file with no content, for the message that refuses it. */
  whenEmpty?: string;
  /** Given, once the file is valid, how to find the line of a key path, for checks made after the schema's. */
  onLines?: (lineOf: (path: readonly PropertyKey[]) => number | undefined) => void;
}

/** A problem found in a valid value by a check the schema cannot make; the file and line are added from the key path. */
export interface ValueProblem {
  path: readonly PropertyKey[];
  message: string;
  /** Point at the key itself rather than its value (a misspelt key). */
  atKey?: boolean;
}

/**
 * A check the schema cannot make, run with the schema's: on the file's value after `${NAME}` expansion, and
 * on the validated value when the schema accepted it (else undefined). Each problem gets the file's line.
 */
export type ValueCheck<T> = (raw: unknown, value: T | undefined) => ValueProblem[];

/**
 * Reads a YAML file, expands `${NAME}` references and validates it, reporting every problem as
 * `file:line key.path: message`. Throws `ConfigError`; never returns a partly valid value.
 */
export async function loadYamlFile<S extends z.ZodType>(path: string, schema: S, options: YamlFileOptions & { check?: ValueCheck<z.output<S>> } = {}): Promise<z.output<S>> {
  const file = options.displayName ?? displayPath(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : `cannot read (${code ?? 'unknown error'})`;
    throw new ConfigError([{ file, path: '', message: reason }]);
  }
  return parseYamlText(text, schema, { ...options, displayName: file });
}

/** Like `loadYamlFile`, for text already in memory. */
export function parseYamlText<S extends z.ZodType>(
  text: string,
  schema: S,
  options: YamlFileOptions & { displayName: string; check?: ValueCheck<z.output<S>> },
): z.output<S> {
  const file = options.displayName;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((error) => {
        const { offset, opened } = syntaxErrorOffset(text, error.pos[0]);
        return { file, line: lineCounter.linePos(offset).line, path: '', message: `YAML syntax: ${error.message.split('\n')[0]}${opened ? ` (${opened} opened here is never closed)` : ''}` };
      }),
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ConfigError([{ file, line: 1, path: '', message: `the file is empty${options.whenEmpty ? `: ${options.whenEmpty}` : ''}` }]);
  }
  const locate = (path: readonly PropertyKey[], keyItself = false): number | undefined => lineOf(doc, lineCounter, path, keyItself);
  const raw: unknown = doc.toJS() ?? {};
  const problems: ConfigProblem[] = [];
  const unresolved = new Set<string>();
  const expanded = options.env
    ? interpolateEnvironment(raw, options.env, (path, message) => {
        unresolved.add(formatPath(path));
        problems.push({ file, line: locate(path), path: formatPath(path), message });
      })
    : raw;
  const result = schema.safeParse(expanded);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const path = [...issue.path, key];
          problems.push({ file, line: locate(path, true), path: formatPath(path), message: unknownKeyMessage(schema, issue.path, key) });
        }
      } else if (!unresolved.has(formatPath(issue.path))) {
        problems.push({ file, line: locate(issue.path), path: formatPath(issue.path), message: issue.message.replace(/^Invalid input: /, '') });
      }
    }
  }
  if (options.check) {
    for (const problem of options.check(expanded, result.success ? result.data : undefined)) {
      problems.push({ file, line: locate(problem.path, problem.atKey), path: formatPath(problem.path), message: problem.message });
    }
  }
  if (problems.length > 0) throw new ConfigError(sortProblems(problems));
  options.onLines?.((path) => locate(path));
  return (result as { data: z.output<S> }).data;
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[], keyItself: boolean): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    if (keyItself && depth === path.length && depth > 0) {
      const parent = doc.getIn(prefix.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === prefix[prefix.length - 1]);
        const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
        if (range) return counter.linePos(range[0]).line;
      }
      continue;
    }
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return counter.linePos(range[0]).line;
  }
  return undefined;
}

function unknownKeyMessage(schema: z.ZodType, parentPath: readonly PropertyKey[], key: string): string {
  const known = objectKeysAt(schema, parentPath);
  const suggestion = known.length > 0 ? closest(key, known) : undefined;
  const close = suggestion !== undefined && editDistanceIsSmall(key, suggestion);
  return close ? `unknown key '${key}' (did you mean '${suggestion}'?)` : `unknown key '${key}'${known.length ? ` (allowed: ${known.join(', ')})` : ''}`;
}

function editDistanceIsSmall(a: string, b: string): boolean {
  let same = 0;
  const shorter = Math.min(a.length, b.length);
  for (let i = 0; i < shorter; i++) if (a[i] === b[i]) same++;
  return same >= Math.ceil(shorter / 2) || a.includes(b) || b.includes(a);
}

type SchemaNode = { def?: { type?: string; innerType?: unknown; element?: unknown; shape?: Record<string, unknown>; options?: unknown[]; in?: unknown; left?: unknown; right?: unknown } };

function objectKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node = unwrap(schema as unknown as SchemaNode);
  for (const key of path) {
    if (!node?.def) return [];
    if (typeof key === 'number') node = unwrap(node.def.element as SchemaNode);
    else node = unwrap(node.def.shape?.[String(key)] as SchemaNode);
  }
  return node?.def?.shape ? Object.keys(node.def.shape) : [];
}

function unwrap(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let i = 0; i < 10 && current?.def; i++) {
    const { type, innerType, in: input, left } = current.def;
    if (type === 'optional' || type === 'default' || type === 'nullable' || type === 'prefault' || type === 'catch' || type === 'readonly') current = innerType as SchemaNode;
    else if (type === 'pipe') current = input as SchemaNode;
    else if (type === 'intersection') current = left as SchemaNode;
    else break;
  }
  return current;
}
