import { relative } from 'node:path';
import { ConfigError, type ConfigProblem } from '../config/problems.js';
import { loadYamlDirectory } from '../config/yaml-dir.js';
import type { ActionRegistry } from '../core/action.js';
import { runbookSpecSchema, type RunbookSpec } from './runbook-spec.js';
import { referencesIn } from './substitute.js';

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
 * Reads `runbooks/*.yaml` and checks what a schema cannot: unique names and step ids, actions that exist,
 * references only to declared parameters and to earlier steps.
 */
export async function loadRunbookCatalog(dir: string, actions: ActionRegistry): Promise<RunbookCatalog> {
  const files = await loadYamlDirectory(dir, runbookSpecSchema);
  const problems: ConfigProblem[] = [];
  const names = new Set<string>();
  for (const { value: spec, file } of files) {
    const shown = relative(process.cwd(), file);
    if (names.has(spec.name)) problems.push({ file: shown, path: 'name', message: `runbook '${spec.name}' is defined twice` });
    names.add(spec.name);
    const earlier = new Set<string>();
    spec.steps.forEach((step, index) => {
      const at = `steps[${index}]`;
      if (earlier.has(step.id)) problems.push({ file: shown, path: `${at}.id`, message: `step id '${step.id}' is used twice` });
      if (!actions.get(step.action)) {
        problems.push({ file: shown, path: `${at}.action`, message: `unknown action '${step.action}' (known: ${actions.names().join(', ')})` });
      }
      for (const ref of [...referencesIn(step.with), ...referencesIn(step.when ?? '')]) {
        const [root, name] = ref.split('.');
        if (root === 'params' && name !== undefined && !(name in spec.params)) {
          problems.push({ file: shown, path: `${at}`, message: `\${${ref}} refers to an undeclared parameter '${name}'` });
        } else if (root === 'steps' && name !== undefined && !earlier.has(name)) {
          problems.push({ file: shown, path: `${at}`, message: `\${${ref}} refers to '${name}', which is not an earlier step` });
        } else if (root !== 'params' && root !== 'steps') {
          problems.push({ file: shown, path: `${at}`, message: `\${${ref}}: references start with params. or steps.` });
        }
      }
      earlier.add(step.id);
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new RunbookCatalog(files.map((file) => file.value));
}
