/** Values a step's inputs may refer to: `${params.x}` and `${steps.<id>.<key>}`. */
export interface SubstitutionScope {
  params: Record<string, unknown>;
  steps: Record<string, Record<string, unknown>>;
}

const reference = /\$\{\s*([a-z]+(?:\.[A-Za-z0-9_-]+)+)\s*\}/g;
const wholeReference = /^\$\{\s*([a-z]+(?:\.[A-Za-z0-9_-]+)+)\s*\}$/;

/**
 * Replaces references in a step's inputs by plain lookup, never by evaluating code. A string that is
 * exactly one reference keeps the referred value's type; references inside longer strings are joined
 * as text. An unknown reference is an error naming it.
 */
export function substitute(value: unknown, scope: SubstitutionScope): unknown {
  if (typeof value === 'string') {
    const whole = wholeReference.exec(value);
    if (whole) return lookup(whole[1]!, scope);
    return value.replace(reference, (_match, path: string) => {
      const found = lookup(path, scope);
      return found === undefined || found === null ? '' : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item, scope)]));
  }
  return value;
}

/** Every reference a value contains, for checking runbooks at start. */
export function referencesIn(value: unknown): string[] {
  if (typeof value === 'string') return [...value.matchAll(reference)].map((match) => match[1]!);
  if (Array.isArray(value)) return value.flatMap(referencesIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(referencesIn);
  return [];
}

function lookup(path: string, scope: SubstitutionScope): unknown {
  const [root, ...rest] = path.split('.');
  let current: unknown = root === 'params' ? scope.params : root === 'steps' ? scope.steps : undefined;
  if (current === undefined) throw new Error(`unknown reference \${${path}}: references start with params. or steps.`);
  for (const key of rest) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Truthiness of a `when:` condition after substitution: empty, false, no, 0 and off are false. */
export function conditionHolds(value: unknown): boolean {
  if (typeof value === 'string') return !/^(|false|no|off|0)$/i.test(value.trim());
  return Boolean(value);
}
