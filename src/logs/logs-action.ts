import { z } from 'zod';
import { durationMs, emptyAsAbsent, optionalName } from '../core/action-inputs.js';
import type { ActionDefinition } from '../core/action.js';
import { UserError } from '../core/errors.js';
import type { LogEntry, LogSource } from '../core/logs.js';
import { maskSecrets } from '../core/mask.js';
import { formatSeconds } from '../render/units.js';
import { logsAnswer, shownLine } from './answer.js';
import { compileGrep, grepLines } from './grep.js';
import { summariseLogs } from './summary.js';

/** The most lines read from a source for one answer; the summary covers these, newest kept. */
export const logsReadLimit = 5_000;

const inputs = z.object({
  target: optionalName,
  name: z.string().min(1, 'name a container or pod'),
  container: optionalName,
  since: z.preprocess((value) => emptyAsAbsent(value) ?? '15m', durationMs),
  lines: z.preprocess((value) => emptyAsAbsent(value) ?? 50, z.number().int().min(1).max(500, 'at most 500 lines')),
  grep: z.preprocess(emptyAsAbsent, z.string().optional()),
});

/** Inputs of `logs.read` and `docker.logs`. */
export type LogsInput = z.output<typeof inputs>;

/**
 * Reads a workload's recent logs through a `LogSource` (`logs.read`: any system's, chosen by `target`;
 * `docker.logs`: Docker's), masks secrets in every line, keeps the lines `grep` matches (a regex run under
 * a time budget), and answers with the counts by level, the most repeated errors, the first and last time
 * and the last lines. Read-only. Outputs: `total`, `levels` (`{fatal, critical, error, warn, info, debug}`),
 * `errors` (fatal + critical + error), `warnings`, `stderr`, `top_errors` (`[{message, count}]`),
 * `last_lines` (masked, as shown), `first` and `last` (ISO times or null).
 */
export function logsAction(name: string, sources: readonly LogSource[]): ActionDefinition<LogsInput> {
  return {
    name,
    destructive: false,
    inputs,
    outputs: {
      total: { type: 'number', description: 'lines read (after grep)' },
      levels: { type: 'object', description: 'lines by level: {fatal, critical, error, warn, info, debug}' },
      errors: { type: 'number', description: 'fatal, critical and error lines together' },
      warnings: { type: 'number', description: 'warn lines' },
      stderr: { type: 'number', description: 'lines written to standard error (0 for a pod, whose log mixes both streams)' },
      top_errors: { type: 'list', description: 'the most repeated errors: [{message, count}]' },
      last_lines: { type: 'list', description: 'the last lines, masked, as shown' },
      first: { type: 'string', description: 'the time of the first line (ISO; null without lines)' },
      last: { type: 'string', description: 'the time of the last line' },
    },
    async plan(input, context) {
      if (input.grep !== undefined) compileGrep(input.grep);
      const source = chooseSource(sources, input.target);
      const subject = await source.locate({ ...locationOf(input), signal: context.signal });
      const grep = input.grep === undefined ? '' : `, keep lines matching /${input.grep}/i`;
      return {
        summary: `read the logs of ${subject} from the last ${formatSeconds(input.since / 1000)}${grep}, read-only`,
        detail: [`the newest ${logsReadLimit} lines at most; secrets masked; the last ${input.lines} shown`],
      };
    },
    async run(input, context) {
      const source = chooseSource(sources, input.target);
      const batch = await source.read({ ...locationOf(input), sinceMs: input.since, limit: logsReadLimit, signal: context.signal });
      const masked = batch.entries.map((entry): LogEntry => ({ ...entry, text: maskSecrets(entry.text) }));
      const kept = input.grep === undefined ? masked : (await grepLines(input.grep, masked.map((entry) => entry.text), context.signal)).map((index) => masked[index]!);
      const summary = summariseLogs(kept);
      const last = kept.slice(-input.lines);
      const message = logsAnswer({ subject: batch.subject, sinceMs: input.since, capped: batch.capped, readLimit: logsReadLimit, ...(batch.mixedStreams ? { mixedStreams: true } : {}), ...(input.grep !== undefined ? { grep: input.grep } : {}) }, summary, last);
      const errors = summary.levels.fatal + summary.levels.critical + summary.levels.error;
      return {
        message,
        summary: `${batch.subject}: ${summary.total} lines, ${errors} errors, ${summary.levels.warn} warnings`,
        output: {
          total: summary.total,
          levels: summary.levels,
          errors,
          warnings: summary.levels.warn,
          stderr: summary.stderr,
          top_errors: summary.topErrors,
          last_lines: last.map(shownLine),
          first: summary.first?.toISOString() ?? null,
          last: summary.last?.toISOString() ?? null,
        },
      };
    },
  };
}

function locationOf(input: LogsInput) {
  return { name: input.name, ...(input.target !== undefined ? { target: input.target } : {}), ...(input.container !== undefined ? { container: input.container } : {}) };
}

/** The source that has `target`, or the only one with targets; a `UserError` naming the choices otherwise. */
function chooseSource(sources: readonly LogSource[], target: string | undefined): LogSource {
  const configured = sources.filter((source) => source.targets.length > 0);
  const all = configured.flatMap((source) => source.targets.map((name) => `${name} (${source.system})`)).join(', ');
  if (configured.length === 0) throw new UserError('No target with logs is configured.', 'Config: targets.docker[] for containers, targets.kubernetes[] for pods.');
  if (target === undefined) {
    if (configured.length === 1) return configured[0]!;
    throw new UserError(`Several targets have logs; name one with --target: ${all}.`);
  }
  const found = configured.find((source) => source.targets.includes(target));
  if (!found) throw new UserError(`No target with logs is named ${JSON.stringify(target.slice(0, 64))}. Targets with logs: ${all}.`);
  return found;
}
