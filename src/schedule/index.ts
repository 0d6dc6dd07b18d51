import type { Logger } from 'pino';
import { ackCommand, snoozeCommand } from '../alerts/alert-commands.js';
import { AlertDesk } from '../alerts/alert-desk.js';
import { Escalator } from '../alerts/escalator.js';
import { RouteTable } from '../alerts/routes.js';
import { MaintenanceWindows } from '../alerts/maintenance-windows.js';
import { silenceCommand, silencesCommand, unsilenceCommand } from '../alerts/silence-commands.js';
import { firstSilencer, SilenceBook } from '../alerts/silences.js';
import type { Config } from '../config/schema.js';
import type { RunbookEngine } from '../engine/engine.js';
import type { RunbookCatalog } from '../engine/runbook-catalog.js';
import type { Probe } from '../core/probe.js';
import { parseDuration } from '../core/duration.js';
import type { BuiltinHandler } from '../router/router.js';
import type { Store } from '../store/store.js';
import { ChannelDelivery } from '../outbound/delivery.js';
import type { OutboundRegistry } from '../outbound/registry.js';
import { scheduledJobs, type JobDependencies } from './jobs.js';
import { runCommand, schedulesCommand } from './schedule-commands.js';
import { processOwner, Scheduler } from './scheduler.js';
import { dashboardsOf, type TargetFacts } from '../systems/registry.js';

/** What scheduling is built from: the core's pieces. */
export interface SchedulingDependencies {
  config: Pick<Config, 'schedules' | 'alerts' | 'health' | 'maintenance_windows'>;
  store: Store;
  outbound: OutboundRegistry;
  probes: readonly Probe[];
  runbooks: RunbookCatalog;
  engine: RunbookEngine;
  logger: Logger;
  /** The newest restore test, for the morning report. */
  lastRestoreTest?: JobDependencies['lastRestoreTest'];
  /** The last restore times per target, for the morning report. */
  restoreTimes?: JobDependencies['restoreTimes'];
  /** Each target's system and labels, for alert matchers. */
  targets?: ReadonlyMap<string, TargetFacts>;
}

/** The scheduler (not started; it starts the maintenance windows too), the alert desk and the schedules / run / ack / snooze / silence commands. */
export interface Scheduling {
  scheduler: Scheduler;
  alerts: AlertDesk;
  /** Escalation of critical alerts nobody acks (not started): started with the scheduler, stopped before the store closes. */
  escalator: Escalator;
  silences: SilenceBook;
  windows: MaintenanceWindows;
  commands: Map<string, BuiltinHandler>;
}

/** Builds scheduling; the caller starts the scheduler once chats are connected and stops it before closing the store. */
export function createScheduling(deps: SchedulingDependencies): Scheduling {
  const logger = deps.logger.child({ component: 'scheduler' });
  const delivery = new ChannelDelivery(deps.outbound, logger);
  const routes = new RouteTable(deps.config.alerts.routes);
  const escalator = new Escalator({ store: deps.store, delivery, routes, logger });
  const owner = processOwner();
  const silences = new SilenceBook(deps.store);
  const windows = new MaintenanceWindows({ windows: deps.config.maintenance_windows, store: deps.store, delivery, logger, owner });
  const alerts = new AlertDesk({
    store: deps.store,
    delivery,
    logger,
    router: routes,
    escalator,
    silencer: firstSilencer(silences, windows),
    ...(deps.targets ? { targets: deps.targets } : {}),
    policy: { holdRuns: deps.config.alerts.hold_runs, renotifyAfterMs: parseDuration(deps.config.alerts.renotify_after)! },
    groupWaitMs: parseDuration(deps.config.alerts.group_wait)!,
    inhibitRules: deps.config.alerts.inhibit,
  });
  const runJob = scheduledJobs({
    probes: deps.probes,
    healthTimeoutMs: deps.config.health.timeout_ms,
    healthConcurrency: deps.config.health.concurrency,
    store: deps.store,
    delivery,
    alerts,
    runbooks: deps.runbooks,
    ...(deps.lastRestoreTest ? { lastRestoreTest: deps.lastRestoreTest } : {}),
    ...(deps.restoreTimes ? { restoreTimes: deps.restoreTimes } : {}),
    ...(deps.targets ? { dashboardOf: dashboardsOf(deps.targets) } : {}),
    engine: deps.engine,
    logger,
  });
  const scheduler = new Scheduler({
    schedules: deps.config.schedules,
    store: deps.store,
    delivery,
    runJob,
    logger,
    hasRunbook: (name) => deps.runbooks.get(name) !== undefined,
    owner,
    companions: [windows],
  });
  const knownLabels = new Set(['target', 'system', 'check', 'severity', ...[...(deps.targets?.values() ?? [])].flatMap((facts) => Object.keys(facts.labels))]);
  const commands = new Map<string, BuiltinHandler>([
    ['schedules', schedulesCommand(scheduler)],
    ['run', runCommand(scheduler)],
    ['ack', ackCommand(alerts)],
    ['snooze', snoozeCommand(alerts, parseDuration(deps.config.alerts.snooze_default)!)],
    ['silence', silenceCommand(silences, { maxMs: parseDuration(deps.config.alerts.silence_max)!, maxText: deps.config.alerts.silence_max, knownLabels })],
    ['silences', silencesCommand(silences)],
    ['unsilence', unsilenceCommand(silences)],
  ]);
  return { scheduler, alerts, escalator, silences, windows, commands };
}
