const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string of a parsed config with the environment's
 * value. A reference to an unset variable without a default is reported through `problem`.
 * `$${NAME}` stays literal as `${NAME}`.
 */
export function interpolateEnvironment(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problem: (path: PropertyKey[], message: string) => void,
  path: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') return interpolateString(value, env, (message) => problem(path, message));
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnvironment(item, env, problem, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateEnvironment(item, env, problem, [...path, key])]));
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, problem: (message: string) => void): string {
  const escaped = '\u0000';
  const protectedText = text.replaceAll('$${', escaped);
  const result = protectedText.replace(reference, (_match, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problem(`environment variable ${name} is not set (export ${name}=… or use \${${name}:-default})`);
    return '';
  });
  return protectedText === text ? result : result.replaceAll(escaped, '${');
}
