import type { StepPlan } from '../core/action.js';
import type { ApprovalReservation } from '../core/approval-gate.js';
import type { RunbookSpec, StepSpec } from './runbook-spec.js';
import { conditionHolds, referencesIn, substitute, type SubstitutionScope } from './substitute.js';

/** What a run's pre-flight found: each checked step's plan by index, and the lock it took for the first destructive step. */
export interface Preflight {
  plans: Map<number, StepPlan>;
  reservation?: { stepIndex: number; reservation: ApprovalReservation };
}

/** How the pre-flight checks one step; the engine's own preparation and planning. */
export interface PreflightSteps {
  /**
   * Validates the step's inputs after substitution and plans it, which checks what it names (target, table,
   * container, allow-list); throws a `UserError` to refuse.
   */
  plan(step: StepSpec, index: number, scope: SubstitutionScope): Promise<{ destructive: boolean; plan: StepPlan }>;
  /** Takes the lock of a destructive step's plan; throws a `UserError` when the target is busy or nobody can approve. */
  reserve(step: StepSpec, plan: StepPlan): Promise<ApprovalReservation>;
}

/**
 * Checks a run before it posts anything, so that a refusal can stay private: every step whose inputs and
 * condition refer only to `params` is prepared and planned, in order (a step whose condition is false is
 * left out); the first destructive step, when only such safe, known steps come before it, takes its lock.
 * A step that refers to an earlier step's outputs is checked when it runs. Throws what a step throws,
 * having released the lock it took.
 */
export async function preflight(runbook: RunbookSpec, params: Record<string, unknown>, steps: PreflightSteps): Promise<Preflight> {
  const plans = new Map<number, StepPlan>();
  const scope: SubstitutionScope = { params, steps: {} };
  let reservation: Preflight['reservation'];
  let mayReserve = true;
  try {
    for (const [index, step] of runbook.steps.entries()) {
      if (!knownUpFront(step)) {
        mayReserve = false;
        continue;
      }
      if (step.when !== undefined && !conditionHolds(substitute(step.when, scope))) continue;
      const { destructive, plan } = await steps.plan(step, index, scope);
      plans.set(index, plan);
      if (destructive && mayReserve) reservation = { stepIndex: index, reservation: await steps.reserve(step, plan) };
      if (destructive) mayReserve = false;
    }
  } catch (error) {
    await reservation?.reservation.release();
    throw error;
  }
  return reservation ? { plans, reservation } : { plans };
}

/** True when a step's inputs and condition refer only to the run's parameters. */
export function knownUpFront(step: StepSpec): boolean {
  return [...referencesIn(step.with), ...referencesIn(step.when)].every((reference) => reference.startsWith('params.'));
}
