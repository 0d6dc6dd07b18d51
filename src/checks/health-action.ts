import { z } from 'zod';
import type { ActionDefinition } from '../core/action.js';
import type { DashboardOf } from '../core/links.js';
import type { Probe } from '../core/probe.js';
import { checkHealth, selectProbes } from './runner.js';

const inputs = z.object({
  target: z.string().optional(),
  verbose: z.boolean().default(false),
});

/**
 * `health.report`: every configured probe at once, as one report. Read-only. Its step output holds the
 * overall `status`, the number of warn and crit `problems`, and the `findings` for later steps to read.
 */
export function healthReportAction(probes: readonly Probe[], timeoutMs: number, concurrency?: number, dashboardOf?: DashboardOf): ActionDefinition<z.output<typeof inputs>> {
  return {
    name: 'health.report',
    destructive: false,
    inputs,
    outputs: {
      status: { type: 'string', description: 'the report\'s overall status: ok, warn, crit or unknown' },
      problems: { type: 'number', description: 'how many findings are warn or crit' },
      findings: { type: 'list', description: 'every finding, with checkId, target, status and measure' },
    },
    async plan(input) {
      const chosen = selectProbes(probes, input.target);
      return {
        summary: `check ${chosen.length} target${chosen.length === 1 ? '' : 's'} read-only, each within ${timeoutMs / 1000} s`,
        detail: chosen.map((probe) => `${probe.system} ${probe.target}${probe.optional ? ' (optional)' : ''}`),
      };
    },
    async run(input, context) {
      const { report, findings } = await checkHealth([...probes], {
        timeoutMs,
        concurrency,
        verbose: input.verbose,
        target: input.target,
        requestedBy: context.invocation.actor.name,
        ...(dashboardOf ? { dashboardOf } : {}),
      });
      const problems = findings.filter((finding) => finding.status === 'warn' || finding.status === 'crit').length;
      return { message: report, summary: `health: ${report.status}`, output: { status: report.status, problems, findings } };
    },
  };
}
