/** One thing wrong with a file the bot reads at start: where it is and what to fix. */
export interface ConfigProblem {
  file: string;
  line?: number;
  /** Dotted path with indexes, e.g. `targets.postgres[0].url`; empty for the whole file. */
  path: string;
  message: string;
}

/** Renders a problem as `file:line key.path: message`. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return problem.path ? `${where} ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** Thrown when config, command or runbook files are invalid; carries every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

/** Formats a path of keys and indexes as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
