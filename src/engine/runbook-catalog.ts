import { relative } from 'node:path';
import { ConfigError, formatPath, type ConfigProblem } from '../config/problems.js';
import { loadYamlDirectory } from '../config/yaml-dir.js';
import type { ActionRegistry } from '../core/action.js';
import { runbookSpecSchema, type RunbookSpec } from './runbook-spec.js';
import { checkRunbook } from './runbook-checks.js';

/** The runbooks defined in `runbooks/*.yaml`, checked against the registered actions. */
export class RunbookCatalog {
  private readonly byName: Map<string, RunbookSpec>;

  constructor(specs: readonly RunbookSpec[]) {
    this.byName = new Map(specs.map((spec) => [spec.name, spec]));
  }

  get(name: string): RunbookSpec | undefined {
    return this.byName.get(name);
  }

  all(): RunbookSpec[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/**
 * Reads `runbooks/*.yaml` and checks what a schema cannot (`runbook-checks.ts`): unique names and step ids,
 * actions that exist, `when:` expressions that parse, references only to declared parameters and to the
 * declared outputs of earlier steps. Every problem is reported with its `file:line`.
 */
export async function loadRunbookCatalog(dir: string, actions: ActionRegistry): Promise<RunbookCatalog> {
  const files = await loadYamlDirectory(dir, runbookSpecSchema);
  const problems: ConfigProblem[] = [];
  const names = new Set<string>();
  for (const { value: spec, file, lineOf } of files) {
    const shown = relative(process.cwd(), file);
    if (names.has(spec.name)) problems.push({ file: shown, line: lineOf(['name']), path: 'name', message: `runbook '${spec.name}' is defined twice` });
    names.add(spec.name);
    for (const problem of checkRunbook(spec, actions)) {
      problems.push({ file: shown, line: lineOf(problem.path), path: formatPath(problem.path), message: problem.message });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.sort((a, b) => (a.file === b.file ? (a.line ?? 0) - (b.line ?? 0) : 0)));
  return new RunbookCatalog(files.map((file) => file.value));
}
