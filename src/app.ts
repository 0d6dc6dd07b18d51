import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { ChannelDelivery } from './outbound/delivery.js';
import { restoreTestChannels, startHousekeeping } from './schedule/housekeeping.js';
import { healthReportAction } from './checks/health-action.js';
import { healthCheckAction } from './checks/health-check-action.js';
import { waitUntilAction } from './engine/wait-until.js';
import { notifyAction } from './outbound/notify-action.js';
import { approvalMentionsFor, approvalRuleFor } from './approvals/approval-rules.js';
import { approvalLinks } from './approvals/approval-links.js';
import { ApprovalService } from './approvals/approval-service.js';
import { runLeaseTimings } from './approvals/run-lease-settings.js';
import type { AuditTrail } from './audit/audit-trail.js';
import { openAuditTrail } from './audit/open-audit-trail.js';
import { ConfigError, type ConfigProblem } from './config/problems.js';
import { projectRoot } from './config/load.js';
import type { Config } from './config/schema.js';
import { ActionRegistry, type AnyActionDefinition } from './core/action.js';
import { RunbookEngine } from './engine/engine.js';
import { chatProgress } from './engine/listeners/chat-progress.js';
import { runAudit } from './engine/listeners/run-audit.js';
import { runMetrics } from './engine/listeners/run-metrics.js';
import { loadRunbookCatalog, type RunbookCatalog } from './engine/runbook-catalog.js';
import { defaultDrainTimings, drainCore, runShutdownTasks, type DrainTimings, type ShutdownTask } from './observability/graceful-shutdown.js';
import { noMetrics, type Metrics } from './observability/metrics.js';
import { observedProbes } from './observability/observed-probes.js';
import { builtinHandlers } from './router/builtins.js';
import { loadCommandCatalog, type CommandCatalog } from './router/catalog.js';
import { RateLimiter } from './router/rate-limits.js';
import { Router } from './router/router.js';
import { createScheduling } from './schedule/index.js';
import type { AlertDesk } from './alerts/alert-desk.js';
import type { Scheduler } from './schedule/scheduler.js';
import type { Escalator } from './alerts/escalator.js';
import { OutboundRegistry } from './outbound/registry.js';
import { openStore } from './store/open-store.js';
import type { Store } from './store/store.js';
import type { AnySystemModule } from './core/system.js';
import { shippedSystems } from './systems/index.js';
import { anyTargetKind, dashboardsOf, SystemRegistry } from './systems/registry.js';
import { probeSettingsOf } from './config/targets.js';
import { logsAction } from './logs/logs-action.js';
import type { HomeSource } from './core/home.js';
import { createHome } from './home/home.js';
import { openAlerts } from './alerts/open-alerts.js';

/** Where the bot reads its command and runbook definitions. */
export interface DefinitionFolders {
  commands: string;
  runbooks: string;
}

/** The folders shipped with maintbot. */
export const shippedDefinitions: DefinitionFolders = {
  commands: resolve(projectRoot, 'commands'),
  runbooks: resolve(projectRoot, 'runbooks'),
};

/** The platform-neutral core of a running bot: everything but the chat adapters. */
export interface App {
  config: Config;
  logger: Logger;
  commands: CommandCatalog;
  runbooks: RunbookCatalog;
  /** Every action runbooks may name, with its declared outputs. */
  actions: ActionRegistry;
  router: Router;
  store: Store;
  audit: AuditTrail;
  approvals: ApprovalService;
  /** Every post and update outside of a command's own reply, by the handle's platform; chat platforms connect here once started. */
  outbound: OutboundRegistry;
  /** The system modules over the configured targets. */
  systems: SystemRegistry;
  /** The names chat offers for an argument's `complete:` kind (`targets`, `postgres`, `containers`…); undefined for a kind no system answers. */
  completions(kind: string): string[] | undefined;
  engine: RunbookEngine;
  /** Scheduled reports and health alerts; started by `startBot` once chats are connected, stopped first by `close`. */
  scheduler: Scheduler;
  /** Escalation of critical alerts nobody acks; started by `startBot` with the scheduler, stopped by `close`. */
  escalator: Escalator;
  /** Each person's home (Slack's App Home): roles, requests to decide, latest commands, next schedules, open alerts. */
  home: HomeSource;
  /** The alert desk: health runs' checks and Prometheus alerts through the same state machines. */
  alerts: AlertDesk;
  metrics: Metrics;
  /** Registers work for `close()` to do first, once running steps have ended (e.g. dropping scratch databases). */
  onShutdown(task: ShutdownTask): void;
  /** Refuses new commands, lets running steps finish or interrupts them, releases this process's run locks. */
  drain(timings?: DrainTimings): Promise<void>;
  /** Runs the shutdown tasks, stops timers and closes the store and the audit trail. */
  close(): Promise<void>;
  /** Background work begun at start that never delays it: the sweep of scratch databases restore tests left behind. */
  startupTasks: Promise<void>;
}

/** Options for building the core; tests hand in their own folders or store. */
export interface BuildOptions {
  folders?: DefinitionFolders;
  store?: Store;
  audit?: AuditTrail;
  /** Actions beyond the shipped ones, for runbooks in `folders`. */
  extraActions?: AnyActionDefinition[];
  /** Where commands, runbooks, approvals and checks are counted; nowhere when absent. */
  metrics?: Metrics;
  /** The system modules; the shipped list when absent. The config must have been validated against the same list. */
  systems?: readonly AnySystemModule[];
  /** The clock of the rate-limit windows; `Date.now` when absent. */
  now?: () => number;
}

/** Builds the core from a validated config. Throws `ConfigError` when definitions are invalid. */
export async function buildApp(config: Config, logger: Logger, options: BuildOptions = {}): Promise<App> {
  const folders = options.folders ?? shippedDefinitions;
  const metrics = options.metrics ?? noMetrics;
  const opened: { audit?: AuditTrail } = {};
  const systems = new SystemRegistry(options.systems ?? shippedSystems, config.targets, { restoreTestLog: () => opened.audit?.restoreTests });
  const probes = observedProbes(systems.probes(probeSettingsOf(config.health)), metrics);
  const targetFacts = systems.targetFacts();
  const dashboardOf = dashboardsOf(targetFacts);
  const outbound = new OutboundRegistry();
  const actions = new ActionRegistry().register(healthReportAction(probes, config.health.timeout_ms, config.health.concurrency, dashboardOf));
  actions.register(healthCheckAction(probes, config.health.timeout_ms, config.health.concurrency));
  actions.register(logsAction('logs.read', systems.logSources())).register(notifyAction(config.notify, outbound)).register(waitUntilAction(actions));
  for (const action of [...systems.actions(), ...(options.extraActions ?? [])]) actions.register(action);
  const [commands, runbooks] = await Promise.all([loadCommandCatalog(folders.commands), loadRunbookCatalog(folders.runbooks, actions)]);
  checkCommands(commands, runbooks, new Set([...platformCompletionKinds, anyTargetKind, ...systems.completionKinds()]), folders.commands);
  const startupTasks = systems.startup(logger);

  const store = options.store ?? (await openStore(config.store.redis_url, config.store.key_prefix));
  const audit = options.audit ?? (await openAuditTrail(config.audit, logger));
  opened.audit = audit;
  const approvals = new ApprovalService({
    store,
    runbooks,
    audit,
    logger,
    outbound,
    ruleFor: (runbook) => approvalRuleFor(config.approvals, runbook),
    mentionsFor: (runbook, platform) => approvalMentionsFor(config.approvals, runbook, platform),
    metrics,
    runs: runLeaseTimings(config.runs),
    linksFor: (runbook, plan) => approvalLinks(runbooks.get(runbook)?.url, plan, dashboardOf),
  });
  const engine = new RunbookEngine({ actions, runbooks, approvals, listeners: [runAudit(audit), chatProgress, runMetrics(metrics), approvals.runListener] });
  await approvals.start();
  const scheduling = createScheduling({ config, store, outbound, probes, runbooks, engine, logger, lastRestoreTest: () => systems.lastRestoreTest(), restoreTimes: () => systems.restoreTimes(), targets: targetFacts });
  const router = new Router({
    commands,
    runbooks,
    engine,
    builtins: builtinHandlers({ approvals, audit, runbooks, scheduling: scheduling.commands }),
    logger,
    audit,
    onOutcome: (event) => metrics.commandFinished(event.command, event.outcome),
    onAcknowledged: (platform, latencyMs) => metrics.acknowledged(platform, latencyMs / 1000),
    limits: new RateLimiter(store, config.rate_limits, options.now),
  });
  const home = createHome({ decidable: (actor, platform) => approvals.decidableBy(actor, platform), audit, schedules: () => scheduling.scheduler.list(), openAlerts: () => openAlerts(store) });
  const shutdownTasks: ShutdownTask[] = [];
  const housekeepingLogger = logger.child({ component: 'housekeeping' });
  const housekeeping = startHousekeeping(systems.housekeeping(), restoreTestChannels(config.schedules), new ChannelDelivery(outbound, housekeepingLogger), housekeepingLogger);
  const completionKinds = new Set([anyTargetKind, ...systems.completionKinds()]);
  return {
    config,
    logger,
    commands,
    runbooks,
    actions,
    router,
    store,
    audit,
    approvals,
    outbound,
    systems,
    completions: (kind) => (completionKinds.has(kind) ? systems.completions(kind) : undefined),
    engine,
    scheduler: scheduling.scheduler,
    escalator: scheduling.escalator,
    home,
    alerts: scheduling.alerts,
    metrics,
    onShutdown: (task) => void shutdownTasks.push(task),
    startupTasks,
    drain: (timings = defaultDrainTimings) => drainCore({ router, engine, approvals, logger }, timings),
    async close() {
      housekeeping.stop();
      await scheduling.scheduler.stop();
      await scheduling.escalator.stop();
      await runShutdownTasks(shutdownTasks.splice(0), logger, 2_000);
      approvals.stop();
      await Promise.allSettled([store.close(), audit.close()]);
    },
  };
}

/** Completion kinds the bot itself knows, beside the targets and what system modules answer. */
const platformCompletionKinds = ['commands', 'runbooks', 'schedules'];

/** Checks what a command's schema cannot: its runbook and parameters exist, and its `complete:` kinds are known. */
function checkCommands(commands: CommandCatalog, runbooks: RunbookCatalog, completionKinds: ReadonlySet<string>, dir: string): void {
  const problems: ConfigProblem[] = [];
  for (const spec of commands.all()) {
    const file = `${dir}/${spec.name}.yaml`;
    for (const [list, items] of [['args', spec.args], ['flags', spec.flags]] as const) {
      items.forEach((item, index) => {
        if (item.complete !== undefined && !completionKinds.has(item.complete)) {
          problems.push({ file, path: `${list}[${index}].complete`, message: `no system answers completions of '${item.complete}' (known: ${[...completionKinds].sort().join(', ')})` });
        }
      });
    }
    if (!spec.runbook) continue;
    const runbook = runbooks.get(spec.runbook);
    if (!runbook) {
      problems.push({ file, path: 'runbook', message: `no runbook named '${spec.runbook}' in runbooks/` });
      continue;
    }
    const given = new Set([...spec.args, ...spec.flags].map((item) => item.name));
    for (const [name, param] of Object.entries(runbook.params)) {
      if (param.required && param.default === undefined && !given.has(name)) {
        problems.push({ file, path: 'args', message: `runbook '${runbook.name}' needs parameter '${name}', which this command does not pass` });
      }
    }
    for (const name of given) {
      if (!(name in runbook.params)) problems.push({ file, path: 'args', message: `'${name}' is not a parameter of runbook '${runbook.name}'` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
