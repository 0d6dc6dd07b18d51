import type { RunOutcome } from './approval-gate.js';

/**
 * How one command ended, the same word in its audit row and in `maintbot_commands_total`:
 * - `ok`: it did what was asked (a runbook completed, a decision was recorded);
 * - `failed`: it started but did not finish (a step failed, a shutdown interrupted it, its target stayed busy,
 *   an internal error);
 * - `invalid`: the command line did not parse (unknown command, wrong arguments, a request id that does not exist);
 * - `denied`: the requester may not do this (no role, self-approval, not an approver);
 * - `refused`: well-formed, but the bot would not start it (what it names does not exist or is not allowed,
 *   the system is not configured, an expired request, the bot is shutting down);
 * - `pending-approval`: it waits at a destructive step for approval;
 * - `no-op`: it changed nothing (a click on a request already decided, a second approval by the same person).
 */
export type CommandOutcome = 'ok' | 'failed' | 'invalid' | 'denied' | 'refused' | 'pending-approval' | 'no-op';

/** What a command reports of its end, for its audit row: the outcome and what it concerns. */
export interface CommandResult {
  outcome: CommandOutcome;
  /** A short, safe sentence: the reason, the result. */
  detail?: string;
  /** The approval request the command made, decided or waits for. */
  approvalId?: string;
  /** The runbook it ran or resumed. */
  runbook?: string;
}

/** The result of a command that ran or resumed a runbook, from how the run ended. */
export function resultOfRun(runbook: string, run: RunOutcome): CommandResult {
  return { outcome: outcomeOfRun(run.result), runbook, ...(run.detail ? { detail: run.detail } : {}), ...(run.approvalId ? { approvalId: run.approvalId } : {}) };
}

function outcomeOfRun(result: RunOutcome['result']): CommandOutcome {
  switch (result) {
    case 'completed':
      return 'ok';
    case 'failed':
    case 'interrupted':
    case 'lost':
      return 'failed';
    case 'waiting':
      return 'pending-approval';
    case 'refused':
      return 'refused';
  }
}
