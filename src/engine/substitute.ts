import { UserError } from '../core/errors.js';
import { evaluate, EvaluationError, notKnownYet, parseExpression, truthy } from './expression.js';

/** Values a step's inputs and condition may refer to: `${params.x}` and `${steps.<id>.outputs.<name>}`. */
export interface SubstitutionScope {
  params: Record<string, unknown>;
  /** Each step's outputs by step id; a step that was skipped or has not run has none. */
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
      return found === undefined || found === null ? '' : typeof found === 'object' ? JSON.stringify(found) : String(found);
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
  return referencesAt(value).map((found) => found.reference);
}

/** Every reference a value contains, with the key path (under the value) where it is written. */
export function referencesAt(value: unknown, at: readonly (string | number)[] = []): { reference: string; path: (string | number)[] }[] {
  if (typeof value === 'string') return [...value.matchAll(reference)].map((match) => ({ reference: match[1]!, path: [...at] }));
  if (Array.isArray(value)) return value.flatMap((item, index) => referencesAt(item, [...at, index]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => referencesAt(item, [...at, key]));
  return [];
}

/** The value a reference names in a scope; undefined when a step was skipped or an output is absent. */
export function lookup(path: string, scope: SubstitutionScope): unknown {
  const [root, ...rest] = path.split('.');
  let current: unknown;
  if (root === 'params') current = scope.params;
  else if (root === 'steps' && rest[1] === 'outputs') {
    current = scope.steps[rest[0]!];
    rest.splice(0, 2);
  } else throw new Error(`unknown reference \${${path}}: references are \${params.NAME} or \${steps.ID.outputs.NAME}`);
  for (const key of rest) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * Whether a step's `when:` holds in a scope: the condition is parsed and evaluated (see `expression.ts`),
 * never run as code. A condition that cannot be evaluated on these values is a `UserError` naming the step.
 */
export function conditionHolds(when: string, scope: SubstitutionScope, stepId: string): boolean {
  try {
    return truthy(evaluate(parseExpression(when), (path) => lookup(path, scope)));
  } catch (error) {
    if (error instanceof EvaluationError) throw new UserError(`The condition of step '${stepId}' (${when}) cannot be evaluated: ${error.message}.`);
    throw error;
  }
}

/**
 * A step's `when:` before the run, when only the parameters are known: false when they already decide it is
 * false (`${params.url} and …` without a url), else true (it may run, so it is checked up front).
 */
export function conditionMayHold(when: string, params: Record<string, unknown>, stepId: string): boolean {
  const scope: SubstitutionScope = { params, steps: {} };
  try {
    const value = evaluate(parseExpression(when), (path) => (path.startsWith('params.') ? lookup(path, scope) : notKnownYet));
    return value === notKnownYet || truthy(value);
  } catch (error) {
    if (error instanceof EvaluationError) throw new UserError(`The condition of step '${stepId}' (${when}) cannot be evaluated: ${error.message}.`);
    throw error;
  }
}
