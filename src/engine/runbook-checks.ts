import type { ActionDefinition, ActionRegistry } from '../core/action.js';
import { didYouMean } from '../core/did-you-mean.js';
import { ExpressionError, expressionReferences, parseExpression } from './expression.js';
import type { RunbookSpec } from './runbook-spec.js';
import { referencesAt } from './substitute.js';

/** One thing wrong with a runbook, at a key path inside its file (e.g. `steps[2].when`). */
export interface RunbookProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Checks what a schema cannot: unique step ids, actions that exist, `when:` expressions that parse, and
 * references only to declared parameters and to outputs that earlier steps' actions declare.
 */
export function checkRunbook(spec: RunbookSpec, actions: ActionRegistry): RunbookProblem[] {
  const problems: RunbookProblem[] = [];
  const earlier = new Map<string, ActionDefinition<unknown> | undefined>();
  const allIds = spec.steps.map((step) => step.id);
  spec.steps.forEach((step, index) => {
    const at = (...rest: (string | number)[]): (string | number)[] => ['steps', index, ...rest];
    if (earlier.has(step.id)) problems.push({ path: at('id'), message: `step id '${step.id}' is used twice` });
    const action = actions.get(step.action);
    if (!action) problems.push({ path: at('action'), message: `unknown action '${step.action}' (known: ${actions.names().join(', ')})${didYouMean(step.action, actions.names())}` });
    const scope: ReferenceScope = { spec, earlier, later: new Set(allIds.slice(index + 1)) };
    for (const { reference, path } of referencesAt(step.with)) {
      const message = referenceProblem(reference, scope);
      if (message) problems.push({ path: at('with', ...path), message });
    }
    if (step.when !== undefined) {
      try {
        for (const reference of expressionReferences(parseExpression(step.when))) {
          const message = referenceProblem(reference, scope);
          if (message) problems.push({ path: at('when'), message });
        }
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        problems.push({ path: at('when'), message: `bad expression at character ${error.at + 1}: ${error.message} (in: ${step.when})` });
      }
    }
    for (const problem of action?.checkStep?.(step.with, actions) ?? []) {
      problems.push({ path: problem.key === undefined ? at('with') : at('with', problem.key), message: problem.message });
    }
    earlier.set(step.id, action);
  });
  return problems;
}

interface ReferenceScope {
  spec: RunbookSpec;
  earlier: ReadonlyMap<string, ActionDefinition<unknown> | undefined>;
  later: ReadonlySet<string>;
}

/** What is wrong with one reference, or undefined when it names a declared parameter or an earlier step's declared output. */
export function referenceProblem(reference: string, { spec, earlier, later }: ReferenceScope): string | undefined {
  const shown = `\${${reference}}`;
  const [root, name, part, output, ...deeper] = reference.split('.');
  if (root === 'params') {
    const declared = Object.keys(spec.params);
    if (!declared.includes(name!)) return `${shown} refers to an undeclared parameter '${name}' (declared: ${declared.join(', ') || 'none'})${didYouMean(name!, declared)}`;
    if (part !== undefined) return `${shown}: a parameter is a single value; write \${params.${name}}`;
    return undefined;
  }
  if (root !== 'steps') return `${shown}: references are \${params.NAME} or \${steps.ID.outputs.NAME}`;
  if (!earlier.has(name!)) {
    if (later.has(name!)) return `${shown} refers to step '${name}', which comes later: a step can use only the outputs of steps before it`;
    return `${shown} refers to step '${name}', which does not exist (earlier steps: ${[...earlier.keys()].join(', ') || 'none'})${didYouMean(name!, [...earlier.keys()])}`;
  }
  if (part !== 'outputs' || output === undefined) return `${shown}: write \${steps.${name}.outputs.NAME}`;
  const action = earlier.get(name!);
  if (!action) return undefined;
  const declared = action.outputs ?? {};
  const outputSpec = declared[output];
  const names = Object.keys(declared);
  if (!outputSpec) return `${shown}: step '${name}' (${action.name}) has no output '${output}' (${action.name} outputs: ${names.join(', ') || 'none'})${didYouMean(output, names)}`;
  if (deeper.length > 0 && outputSpec.type !== 'list' && outputSpec.type !== 'object') return `${shown}: output '${output}' of ${action.name} is a ${outputSpec.type}; it has no '${deeper[0]}'`;
  return undefined;
}
