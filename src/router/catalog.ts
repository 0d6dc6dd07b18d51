import { relative } from 'node:path';
import { likelyMeant } from '../core/did-you-mean.js';
import { ConfigError, type ConfigProblem } from '../config/problems.js';
import { loadYamlDirectory } from '../config/yaml-dir.js';
import { commandSpecSchema, type CommandSpec } from './command-spec.js';

/** The chat commands defined in `commands/*.yaml`, by name. */
export class CommandCatalog {
  private readonly byName: Map<string, CommandSpec>;
  private readonly sorted: readonly CommandSpec[];

  constructor(specs: readonly CommandSpec[]) {
    this.byName = new Map(specs.map((spec) => [spec.name, spec]));
    this.sorted = [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Every command, sorted by name. */
  all(): readonly CommandSpec[] {
    return this.sorted;
  }

  get(name: string): CommandSpec | undefined {
    return this.byName.get(name);
  }

  /** The closest command name to a misspelt one, when it is close enough to be a likely typo. */
  suggest(name: string): string | undefined {
    return likelyMeant(name, [...this.byName.keys()]);
  }
}

/** Reads and checks `commands/*.yaml`: every file valid, names unique, file names matching command names. */
export async function loadCommandCatalog(dir: string): Promise<CommandCatalog> {
  const files = await loadYamlDirectory(dir, commandSpecSchema);
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, string>();
  for (const { value, file } of files) {
    const earlier = seen.get(value.name);
    if (earlier) problems.push({ file: relative(process.cwd(), file), path: 'name', message: `command '${value.name}' is already defined in ${relative(process.cwd(), earlier)}` });
    seen.set(value.name, file);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return new CommandCatalog(files.map((file) => file.value));
}
