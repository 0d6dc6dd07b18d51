import { closest } from 'fastest-levenshtein';
import type { Logger } from 'pino';
import { errorCodeOf, errorMessage, UserError } from '../core/errors.js';
import { checkIds, type Finding, type ProbeFinding } from '../core/finding.js';
import type { Report } from '../core/report.js';
import { createLogger } from '../logging/logger.js';
import { TargetUnreachable, type Probe } from '../core/probe.js';
import { renderHealthReport, type HealthRenderOptions } from './render.js';
import { userText } from '../core/user-text.js';
import { defaultHealthConcurrency, ServerSlots } from './server-slots.js';
import { SharedReads } from '../core/shared-reads.js';
import { SharedSessions } from '../core/shared-sessions.js';

/** How one `/maint health` run is done and shown. */
export interface HealthRunOptions extends Omit<HealthRenderOptions, 'target' | 'durationMs'> {
  /** How long each probe may take, from when it starts; a probe still running then is reported unreachable and aborted. */
  timeoutMs: number;
  /** How many connections the probes of one server may hold at once (`health.concurrency`, default 32). */
  concurrency?: number;
  /** Narrow the run to the probe of this target name. */
  target?: string;
  /** Where unexpected probe failures are logged; the process logger when left out. */
  logger?: Pick<Logger, 'error'>;
}

/** One health run: the findings, for code, and the report they render to, for people. */
export interface HealthCheck {
  report: Report;
  findings: Finding[];
}

/**
 * Runs the probes at once, each under its own timeout and AbortController, and collects their findings with
 * the probe's target and system; a probe that times out, cannot reach its target or fails yields one finding
 * saying so. Probes of one server (`Probe.server`) hold at most `concurrency` connections to it at once; the
 * others wait their turn, and a probe's timeout starts when it starts, not while it waits. The probes share one
 * `SharedReads`, so targets on one server read its server-wide state once per run, and one `SharedSessions`, so
 * they share one connection per server and user (bounded by the same slots); the run returns once those are
 * closed. Throws `UserError`
 * naming the configured targets when `target` matches none.
 */
export async function checkHealth(probes: Probe[], options: HealthRunOptions): Promise<HealthCheck> {
  const started = performance.now();
  const selected = selectProbes(probes, options.target);
  const logger = options.logger ?? defaultLogger();
  const slots = new ServerSlots(options.concurrency ?? defaultHealthConcurrency);
  const shared = new SharedReads();
  const sessions = new SharedSessions(slots);
  const perProbe = await Promise.all(
    selected.map(async (probe) => {
      const free = await slots.take(probe.server, probe.connections);
      try {
        return await runProbe(probe, shared, sessions, options.timeoutMs, logger);
      } finally {
        free();
      }
    }),
  );
  await sessions.settled();
  const findings = perProbe.flat();
  const report = renderHealthReport(findings, {
    verbose: options.verbose,
    ...(options.target === undefined ? {} : { target: selected[0]?.target ?? options.target }),
    ...(options.requestedBy === undefined ? {} : { requestedBy: options.requestedBy }),
    ...(options.dashboardOf === undefined ? {} : { dashboardOf: options.dashboardOf }),
    durationMs: Math.round(performance.now() - started),
  });
  return { report, findings };
}

/** `checkHealth`, for callers that only show the report. */
export async function runHealth(probes: Probe[], options: HealthRunOptions): Promise<Report> {
  return (await checkHealth(probes, options)).report;
}

/**
 * The probes of `target` (exact, else ignoring case), or all without one. Throws a `UserError` naming the
 * configured targets, with the closest as a did-you-mean, when it matches none.
 */
export function selectProbes(probes: readonly Probe[], target: string | undefined): Probe[] {
  if (target === undefined) return [...probes];
  const exact = probes.filter((probe) => probe.target === target);
  if (exact.length > 0) return exact;
  const folded = probes.filter((probe) => probe.target.toLowerCase() === target.toLowerCase());
  if (folded.length > 0) return folded;
  const names = probes.map((probe) => probe.target);
  if (names.length === 0) throw new UserError(`unknown target "${userText(target)}": no targets are configured`, 'add targets to the config file');
  const guess = closest(target, names);
  throw new UserError(
    `unknown target "${userText(target)}"; the configured targets are: ${names.join(', ')}`,
    `did you mean \`/maint health ${guess}\`?`,
  );
}

async function runProbe(probe: Probe, shared: SharedReads, sessions: SharedSessions, timeoutMs: number, logger: Pick<Logger, 'error'>): Promise<Finding[]> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const work = (async () => probe.run(controller.signal, shared, sessions))().then(
    (findings) => ({ findings }),
    (error: unknown) => ({ error }),
  );
  const ofProbe = (finding: ProbeFinding): Finding => ({ ...finding, target: probe.target, system: probe.system });
  try {
    const outcome = await Promise.race([work, timedOut]);
    if (outcome === 'timeout') {
      controller.abort(new Error(`health probe of ${probe.target} timed out`));
      return [ofProbe(noAnswer(timeoutMs))];
    }
    if ('error' in outcome) return [ofProbe(failure(probe, outcome.error, logger))];
    if (outcome.findings.length === 0) return [ofProbe({ checkId: checkIds.probe, status: 'unknown', label: 'checks', text: 'the probe reported nothing' })];
    return outcome.findings.map(ofProbe);
  } finally {
    clearTimeout(timer);
  }
}

function noAnswer(timeoutMs: number): ProbeFinding {
  const seconds = `${Number((timeoutMs / 1000).toFixed(1))} s`;
  return {
    checkId: checkIds.reachable,
    status: 'crit',
    label: 'reachable',
    text: `unreachable (no answer in ${seconds})`,
    threshold: `answer within ${seconds}`,
    note: 'the target did not answer in time: check that it is up and not overloaded or stuck',
  };
}

function failure(probe: Probe, error: unknown, logger: Pick<Logger, 'error'>): ProbeFinding {
  if (error instanceof TargetUnreachable) {
    const reachable = { checkId: checkIds.reachable, label: 'reachable' };
    return probe.optional
      ? { ...reachable, status: 'skipped', text: `skipped (${error.message})`, note: 'optional target: being absent is not a problem' }
      : {
          ...reachable,
          status: 'crit',
          text: `unreachable (${error.message})`,
          note: error.note ?? 'check that the service runs and that the address and credentials in the config are right',
        };
  }
  const couldNotRun = { checkId: checkIds.probe, status: 'unknown', label: 'checks' } as const;
  if (error instanceof UserError) return { ...couldNotRun, text: `could not run (${error.message})` };
  const code = errorCodeOf(error, 'HEALTH_PROBE_FAILED');
  logger.error({ code, target: probe.target, system: probe.system, err: errorMessage(error) }, 'health probe failed');
  return { ...couldNotRun, text: `could not run (internal error ${code}; details in the bot log)` };
}

let processLogger: Pick<Logger, 'error'> | undefined;
function defaultLogger(): Pick<Logger, 'error'> {
  processLogger ??= createLogger({ level: 'info', pretty: false });
  return processLogger;
}
