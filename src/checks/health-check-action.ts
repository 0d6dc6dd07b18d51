import { z } from 'zod';
import type { ActionDefinition } from '../core/action.js';
import type { Probe } from '../core/probe.js';
import { checkHealth, selectProbes } from './runner.js';

const inputs = z.object({ target: z.string().min(1, 'name a target') });

/**
 * `health.check`: the probe of one configured target (any system) through the same runner as `/maint health`,
 * for a runbook that must know whether that target is healthy now. Read-only; `ok` when no finding is warn or crit.
 */
export function healthCheckAction(probes: readonly Probe[], timeoutMs: number, concurrency?: number): ActionDefinition<z.output<typeof inputs>> {
  return {
    name: 'health.check',
    destructive: false,
    inputs,
    outputs: {
      ok: { type: 'boolean', description: 'no finding is warn or crit (an unreachable target is crit)' },
      status: { type: 'string', description: 'the target\'s status: ok, warn, crit or unknown' },
      problems: { type: 'number', description: 'how many findings are warn or crit' },
      findings: { type: 'list', description: 'its findings, with checkId, subject, status and measure' },
    },
    async plan(input) {
      const [probe] = selectProbes(probes, input.target);
      return { summary: `check ${probe!.system} target ${probe!.target} read-only, within ${timeoutMs / 1000} s`, detail: [] };
    },
    async run(input, context) {
      const { report, findings } = await checkHealth(selectProbes(probes, input.target), { timeoutMs, concurrency, verbose: false, target: input.target, requestedBy: context.invocation.actor.name });
      const problems = findings.filter((finding) => finding.status === 'warn' || finding.status === 'crit');
      const firstProblem = problems[0] ? `: ${problems[0].label} ${problems[0].text}` : '';
      return {
        summary: `${input.target}: ${report.status}${problems.length > 0 ? `, ${problems.length} problem${problems.length === 1 ? '' : 's'}${firstProblem}` : ''}`,
        output: { ok: problems.length === 0 && report.status !== 'unknown', status: report.status, problems: problems.length, findings },
      };
    },
  };
}
