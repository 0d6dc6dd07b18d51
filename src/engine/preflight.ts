import type { StepPlan } from '../core/action.js';
import type { RunbookSpec, StepSpec } from './runbook-spec.js';
import { conditionMayHold, referencesIn, type SubstitutionScope } from './substitute.js';

/** What a run's pre-flight found: each checked step's plan by index. */
export interface Preflight {
  plans: Map<number, StepPlan>;
}

/** How the pre-flight checks one step; the engine's own preparation and planning. */
export interface PreflightSteps {
  /**
   * Validates the step's inputs after substitution and plans it, which checks what it names (target, table,
   * container, allow-list); throws a `UserError` to refuse (also a destructive step nobody can approve).
   */
  plan(step: StepSpec, index: number, scope: SubstitutionScope): Promise<{ destructive: boolean; plan: StepPlan }>;
}

/**
 * Checks a run before it posts anything, so that a refusal can stay private and give its own reason: every
 * step whose inputs refer only to `params` is prepared and planned, in order (a step whose condition the
 * parameters make false is left out; one whose condition depends on earlier steps is planned too, as it may
 * run). A step whose inputs come from an earlier step's outputs is checked when it runs. No lock is taken: a
 * busy target never refuses a request (the approved step waits for it).
 */
export async function preflight(runbook: RunbookSpec, params: Record<string, unknown>, steps: PreflightSteps): Promise<Preflight> {
  const plans = new Map<number, StepPlan>();
  const scope: SubstitutionScope = { params, steps: {} };
  for (const [index, step] of runbook.steps.entries()) {
    if (!onlyParams(step.with)) continue;
    if (step.when !== undefined && !conditionMayHold(step.when, params, step.id)) continue;
    plans.set(index, (await steps.plan(step, index, scope)).plan);
  }
  return { plans };
}

/** True when a step's inputs and condition refer only to the run's parameters. */
export function knownUpFront(step: StepSpec): boolean {
  return onlyParams(step.with) && onlyParams(step.when);
}

function onlyParams(written: StepSpec['with'] | StepSpec['when']): boolean {
  return referencesIn(written).every((reference) => reference.startsWith('params.'));
}
