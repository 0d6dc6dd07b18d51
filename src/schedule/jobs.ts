import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertDesk } from '../alerts/alert-desk.js';
import { CodedError } from '../core/errors.js';
import type { Invocation } from '../core/invocation.js';
import type { DashboardOf } from '../core/links.js';
import type { RunbookEngine } from '../engine/engine.js';
import type { RunbookCatalog } from '../engine/runbook-catalog.js';
import type { Probe } from '../core/probe.js';
import type { LastRestoreTest, RestoreTimes } from '../core/system.js';
import { checkHealth } from '../checks/runner.js';
import { morningReport } from '../reports/morning.js';
import { recordSizes } from '../reports/size-history.js';
import type { Store } from '../store/store.js';
import { ChannelResponder } from '../outbound/channel-responder.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { Schedule } from './schedule-config.js';

/** One run of a schedule: which tick, and who asked when it was run by hand. */
export interface JobRun {
  schedule: Schedule;
  tick: Date;
  /** The schedule's time zone; undefined is this machine's local time. */
  timeZone: string | undefined;
  requestedBy?: string;
}

/** Runs a schedule's job and posts its outcome; resolves to a one-line summary for the last-run record. */
export type JobRunner = (run: JobRun) => Promise<string>;

/** What scheduled jobs work with. */
export interface JobDependencies {
  probes: readonly Probe[];
  healthTimeoutMs: number;
  /** `health.concurrency`: connections per server at once. */
  healthConcurrency?: number;
  store: Store;
  delivery: ChannelDelivery;
  alerts: AlertDesk;
  runbooks: RunbookCatalog;
  engine: RunbookEngine;
  logger: Logger;
  /** The newest restore test, for the morning report. */
  lastRestoreTest?: () => Promise<LastRestoreTest | undefined>;
  /** The last restore times per target, for the morning report. */
  restoreTimes?: () => Promise<RestoreTimes[]>;
  /** Each target's `dashboard_url:`, a link on its section of the morning report. */
  dashboardOf?: DashboardOf;
}

/** The job runner for the three kinds of schedule: the morning report, health alerts, a runbook. */
export function scheduledJobs(deps: JobDependencies): JobRunner {
  return async (run) => {
    const { schedule } = run;
    if ('report' in schedule.run) return postMorningReport(deps, run);
    if ('alerts' in schedule.run) {
      const { report, findings } = await checkHealth([...deps.probes], { timeoutMs: deps.healthTimeoutMs, concurrency: deps.healthConcurrency, verbose: true, logger: deps.logger });
      await recordSizes(deps.store, findings, run.tick);
      const sent = await deps.alerts.observe(findings, schedule.channels, run.timeZone, Date.now());
      return `health ${report.status}, ${sent.length} notification${sent.length === 1 ? '' : 's'}`;
    }
    return runRunbook(deps, run, schedule.run.runbook, schedule.run.params);
  };
}

async function postMorningReport(deps: JobDependencies, run: JobRun): Promise<string> {
  const health = await checkHealth([...deps.probes], { timeoutMs: deps.healthTimeoutMs, concurrency: deps.healthConcurrency, verbose: true, logger: deps.logger, ...(deps.dashboardOf ? { dashboardOf: deps.dashboardOf } : {}) });
  const report = await morningReport(health, deps.store, run.tick, deps.lastRestoreTest, deps.restoreTimes);
  report.context = { ...report.context, note: `${run.schedule.name} · ${run.tick.toISOString()}${run.requestedBy ? ` · run by ${run.requestedBy}` : ''}` };
  const now = new Date();
  const awake = run.schedule.channels.filter((channel) => !deps.delivery.isQuiet(channel, report.status === 'crit', now, run.timeZone));
  await deps.delivery.broadcast(awake, report);
  return `morning report ${report.status}`;
}

async function runRunbook(deps: JobDependencies, run: JobRun, name: string, params: Record<string, unknown>): Promise<string> {
  const runbook = deps.runbooks.get(name);
  if (!runbook) throw new CodedError('SCHEDULE_UNKNOWN_RUNBOOK', `schedule ${run.schedule.name} names runbook ${name}, which is not installed`);
  const invocation: Invocation = {
    id: randomUUID(),
    actor: { id: 'scheduler', name: run.requestedBy ?? `schedule ${run.schedule.name}`, roles: ['admin'] },
    channel: { id: run.schedule.name },
    text: `${name} (schedule ${run.schedule.name})`,
    origin: 'schedule',
    receivedAt: run.tick,
  };
  const responder = new ChannelResponder(deps.delivery, run.schedule.channels);
  const { result } = await deps.engine.run({ runbook, params, invocation, responder, logger: deps.logger.child({ schedule: run.schedule.name, invocation: invocation.id }) });
  return `runbook ${name} ${result}`;
}
