import type { StepPlan } from '../core/action.js';
import type { ApprovalReservation } from '../core/approval-gate.js';
import type { RunbookSpec, StepSpec } from './runbook-spec.js';
import { conditionMayHold, referencesIn, type SubstitutionScope } from './substitute.js';

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
 * Checks a run before it posts anything, so that a refusal can stay private: every step whose inputs refer
 * only to `params` is prepared and planned, in order (a step whose condition the parameters make false is left out;
 * one whose condition depends on earlier steps is planned too, as it may run); the first destructive step, when only
 * safe steps known up front come before it, takes its lock. A step whose inputs come from an earlier step's
 * outputs is checked when it runs. Throws what a step throws, having released the lock it took.
 */
export async function preflight(runbook: RunbookSpec, params: Record<string, unknown>, steps: PreflightSteps): Promise<Preflight> {
  const plans = new Map<number, StepPlan>();
  const scope: SubstitutionScope = { params, steps: {} };
  let reservation: Preflight['reservation'];
  let mayReserve = true;
  try {
    for (const [index, step] of runbook.steps.entries()) {
      if (!onlyParams(step.with)) {
        mayReserve = false;
        continue;
      }
      const conditionKnown = onlyParams(step.when);
      if (step.when !== undefined && !conditionMayHold(step.when, params, step.id)) continue;
      const { destructive, plan } = await steps.plan(step, index, scope);
      plans.set(index, plan);
      if (destructive && mayReserve && conditionKnown) reservation = { stepIndex: index, reservation: await steps.reserve(step, plan) };
      if (destructive || !conditionKnown) mayReserve = false;
    }
  } catch (error) {
    await reservation?.reservation.release();
    throw error;
  }
  return reservation ? { plans, reservation } : { plans };
}

/** True when a step's inputs or condition refer only to the run's parameters. */
function onlyParams(written: StepSpec['with'] | StepSpec['when']): boolean {
  return referencesIn(written).every((reference) => reference.startsWith('params.'));
}
