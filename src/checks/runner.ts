import { closest } from 'fastest-levenshtein';
import type { Logger } from 'pino';
import { CodedError, UserError, errorMessage } from '../core/errors.js';
import type { Report, ReportLine, ReportSection } from '../core/report.js';
import { compareStatus, isProblem, worstStatus, type Status } from '../core/status.js';
import { createLogger } from '../logging/logger.js';
import { TargetUnreachable, type Probe } from '../core/probe.js';

/** How one `/maint health` run is done and shown. */
export interface HealthRunOptions {
  /** How long each probe may take; a probe still running then is reported unreachable and aborted. */
  timeoutMs: number;
  /** Show ok lines too, instead of counting them in `foldedOk`. */
  verbose: boolean;
  /** Narrow the report to the probe of this target name. */
  target?: string;
  requestedBy?: string;
  /** Where unexpected probe failures are logged; the process logger when left out. */
  logger?: Pick<Logger, 'error'>;
}

/**
 * Runs the probes at once, each under its own timeout and AbortController, and judges them into one report:
 * sections per target with problems first, ok lines folded unless verbose, overall status the worst line.
 * Throws `UserError` naming the configured targets when `target` matches none.
 */
export async function runHealth(probes: Probe[], options: HealthRunOptions): Promise<Report> {
  const started = performance.now();
  const selected = selectProbes(probes, options.target);
  const logger = options.logger ?? defaultLogger();
  const results = await Promise.all(selected.map(async (probe) => ({ probe, lines: await runProbe(probe, options.timeoutMs, logger) })));
  const sections = results
    .map(({ probe, lines }) => toSection(probe, lines, options.verbose))
    .sort((a, b) => compareStatus(b.status, a.status));
  const lines = results.flatMap((result) => result.lines);
  const report: Report = {
    kind: 'report',
    title: options.target === undefined ? 'Health' : `Health: ${selected[0]?.target ?? options.target}`,
    status: lines.length === 0 ? 'unknown' : judgeLines(lines),
    summary: summarize(sections, results),
    sections,
    context: { durationMs: Math.round(performance.now() - started) },
  };
  if (options.requestedBy !== undefined) report.context = { requestedBy: options.requestedBy, ...report.context };
  return report;
}

function selectProbes(probes: Probe[], target: string | undefined): Probe[] {
  if (target === undefined) return probes;
  const exact = probes.filter((probe) => probe.target === target);
  if (exact.length > 0) return exact;
  const folded = probes.filter((probe) => probe.target.toLowerCase() === target.toLowerCase());
  if (folded.length > 0) return folded;
  const names = probes.map((probe) => probe.target);
  if (names.length === 0) throw new UserError(`unknown target "${target}": no targets are configured`, 'add targets to the config file');
  const guess = closest(target, names);
  throw new UserError(
    `unknown target "${target}"; the configured targets are: ${names.join(', ')}`,
    `did you mean \`/maint health ${guess}\`?`,
  );
}

async function runProbe(probe: Probe, timeoutMs: number, logger: Pick<Logger, 'error'>): Promise<ReportLine[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const work = (async () => probe.run(controller.signal))().then(
    (lines) => ({ lines }),
    (error: unknown) => ({ error }),
  );
  try {
    const outcome = await Promise.race([work, timedOut]);
    if (outcome === 'timeout') {
      controller.abort(new Error(`health probe of ${probe.target} timed out`));
      return [noAnswerLine(timeoutMs)];
    }
    if ('error' in outcome) return [failureLine(probe, outcome.error, logger)];
    return outcome.lines.length > 0 ? outcome.lines : [{ status: 'unknown', label: 'checks', value: 'the probe reported nothing' }];
  } finally {
    clearTimeout(timer);
  }
}

function noAnswerLine(timeoutMs: number): ReportLine {
  const seconds = `${Number((timeoutMs / 1000).toFixed(1))} s`;
  return {
    status: 'crit',
    label: 'reachable',
    value: `unreachable (no answer in ${seconds})`,
    threshold: `answer within ${seconds}`,
    note: 'the target did not answer in time: check that it is up and not overloaded or stuck',
  };
}

function failureLine(probe: Probe, error: unknown, logger: Pick<Logger, 'error'>): ReportLine {
  if (error instanceof TargetUnreachable) {
    return probe.optional
      ? { status: 'skipped', label: 'reachable', value: `skipped (${error.message})`, note: 'optional target: being absent is not a problem' }
      : {
          status: 'crit',
          label: 'reachable',
          value: `unreachable (${error.message})`,
          note: 'check that the service runs and that the address and credentials in the config are right',
        };
  }
  if (error instanceof UserError) return { status: 'unknown', label: 'checks', value: `could not run (${error.message})` };
  const code = error instanceof CodedError ? error.code : 'HEALTH_PROBE_FAILED';
  logger.error({ code, target: probe.target, system: probe.system, err: errorMessage(error) }, 'health probe failed');
  return { status: 'unknown', label: 'checks', value: `could not run (internal error ${code}; details in the bot log)` };
}

function judgeLines(lines: ReportLine[]): Status {
  return lines.length > 0 && lines.every((line) => line.status === 'skipped') ? 'ok' : worstStatus(lines.map((line) => line.status));
}

function toSection(probe: Probe, lines: ReportLine[], verbose: boolean): ReportSection {
  const ordered = [...lines].sort((a, b) => compareStatus(b.status, a.status));
  const section: ReportSection = { title: `${probe.target} (${probe.system})`, status: judgeLines(lines), lines: ordered };
  if (!verbose) {
    const shown = ordered.filter((line) => line.status !== 'ok');
    if (shown.length < ordered.length) {
      section.lines = shown;
      section.foldedOk = ordered.length - shown.length;
    }
  }
  return section;
}

function summarize(sections: ReportSection[], results: { lines: ReportLine[] }[]): string {
  if (sections.length === 0) return 'no targets are configured';
  const plural = (n: number) => (n === 1 ? '1 target' : `${n} targets`);
  const count = (status: Status) => sections.filter((section) => section.status === status).length;
  const skipped = results.filter(({ lines }) => lines.length > 0 && lines.every((line) => line.status === 'skipped')).length;
  const skippedText = skipped > 0 ? `, ${skipped} optional skipped` : '';
  const problems = sections.filter((section) => isProblem(section.status)).length;
  if (problems === 0) return `${plural(sections.length - skipped)} ok${skippedText}`;
  const parts = (['crit', 'warn', 'unknown'] as const).filter((status) => count(status) > 0).map((status) => `${count(status)} ${status}`);
  return `${problems} of ${plural(sections.length)} need attention (${parts.join(', ')})${skippedText}`;
}

let processLogger: Pick<Logger, 'error'> | undefined;
function defaultLogger(): Pick<Logger, 'error'> {
  processLogger ??= createLogger({ level: 'info', pretty: false });
  return processLogger;
}
