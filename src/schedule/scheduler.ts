import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { errorMessage, UserError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { claimTick } from './claim.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { JobRunner } from './jobs.js';
import { localTimeZone } from '../core/time-zone.js';
import { isDefaultSchedule, type Schedule } from './schedule-config.js';
import { userText } from '../core/user-text.js';

const minClaimTtlMs = 60_000;
const maxPreferenceDelayMs = 2_000;
const stopGraceMs = 5_000;

/** What was recorded about a schedule's last run (shared by every replica). */
export interface LastRun {
  tick: string;
  owner: string;
  finishedAt: string;
  outcome: 'ok' | 'failed';
  summary: string;
}

/** One schedule as `/maint schedules` shows it. */
export interface ScheduleStatus {
  schedule: Schedule;
  timeZone: string;
  /** Why it does not run, when it does not. */
  inactive?: string;
  nextRun?: Date;
  lastRun?: LastRun;
}

/** What the scheduler is built from. */
export interface SchedulerOptions {
  schedules: readonly Schedule[];
  store: Store;
  delivery: ChannelDelivery;
  runJob: JobRunner;
  logger: Logger;
  /** True when a runbook is installed; schedules naming others are skipped with a warning. */
  hasRunbook: (name: string) => boolean;
  /** This process among the replicas, stored with each claim. */
  owner?: string;
}

interface Entry {
  schedule: Schedule;
  timeZone: string;
  task: ScheduledTask;
  periodMs: number;
}

/**
 * Runs schedules on node-cron in every replica; each tick is claimed in the store with
 * `create(schedule:<name>:<tick>)`, so exactly one replica runs it. A replica that cannot post on
 * every platform of a schedule waits a moment before claiming, so one that can is preferred.
 */
export class Scheduler {
  readonly owner: string;
  private readonly entries = new Map<string, Entry>();
  private readonly inactive = new Map<string, { schedule: Schedule; reason: string }>();
  private readonly running = new Set<Promise<void>>();
  private started = false;
  private stopping = new AbortController();

  constructor(private readonly options: SchedulerOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    for (const schedule of options.schedules) {
      const timeZone = schedule.timezone ?? localTimeZone();
      if (!schedule.enabled) {
        this.inactive.set(schedule.name, { schedule, reason: 'disabled' });
        continue;
      }
      if ('runbook' in schedule.run && !options.hasRunbook(schedule.run.runbook)) {
        this.inactive.set(schedule.name, { schedule, reason: `runbook '${schedule.run.runbook}' is not installed` });
        continue;
      }
      const task = cron.createTask(schedule.cron, (context) => this.onTick(schedule.name, context.date), {
        timezone: timeZone,
        name: `maintbot:${schedule.name}`,
        noOverlap: true,
        logger: cronLogger(options.logger),
      });
      const [first, second] = task.getNextRuns(2);
      const periodMs = first && second ? second.getTime() - first.getTime() : 86_400_000;
      this.entries.set(schedule.name, { schedule, timeZone, task, periodMs });
    }
  }

  /** Starts the timers; call once the chat platforms are connected. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = new AbortController();
    for (const { schedule, reason } of this.inactive.values()) {
      if (reason === 'disabled') continue;
      const level = isDefaultSchedule(schedule) ? 'info' : 'warn';
      this.options.logger[level]({ schedule: schedule.name }, `schedule ${schedule.name} is skipped: ${reason}`);
    }
    for (const entry of this.entries.values()) await entry.task.start();
    this.options.logger.info({ schedules: [...this.entries.keys()], owner: this.owner }, 'scheduler started');
  }

  /** Stops the timers and waits briefly for jobs in progress; idempotent. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const entry of this.entries.values()) await entry.task.destroy();
    this.entries.clear();
    this.started = false;
    const settled = Promise.allSettled([...this.running]);
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, stopGraceMs).unref())]);
  }

  /** Every configured schedule with its next run in its time zone and its last run. */
  async list(): Promise<ScheduleStatus[]> {
    const statuses: ScheduleStatus[] = [];
    for (const schedule of this.options.schedules) {
      const entry = this.entries.get(schedule.name);
      const status: ScheduleStatus = { schedule, timeZone: entry?.timeZone ?? schedule.timezone ?? localTimeZone() };
      const inactive = this.inactive.get(schedule.name);
      if (inactive) status.inactive = inactive.reason;
      const next = entry?.task.getNextRuns(1)[0];
      if (next) status.nextRun = next;
      const lastRun = await this.options.store.get<LastRun>(lastRunKey(schedule.name));
      if (lastRun) status.lastRun = lastRun;
      statuses.push(status);
    }
    return statuses;
  }

  /** Runs a schedule now in this process, outside the tick claims; throws `UserError` for an unknown one. */
  async runNow(name: string, requestedBy: string): Promise<LastRun> {
    const entry = this.entries.get(name);
    if (!entry) {
      const inactive = this.inactive.get(name);
      if (inactive) throw new UserError(`Schedule ${userText(name)} does not run: ${inactive.reason}.`);
      const names = this.options.schedules.map((schedule) => schedule.name);
      throw new UserError(`There is no schedule ${userText(name)}.`, names.length ? `the schedules are: ${names.join(', ')}` : 'no schedules are configured');
    }
    return this.execute(entry, new Date(), requestedBy);
  }

  private async onTick(name: string, tick: Date): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry || this.stopping.signal.aborted) return;
    const job = this.claimAndRun(entry, tick);
    this.running.add(job);
    try {
      await job;
    } finally {
      this.running.delete(job);
    }
  }

  private async claimAndRun(entry: Entry, tick: Date): Promise<void> {
    const { schedule } = entry;
    const logger = this.options.logger.child({ schedule: schedule.name, tick: tick.toISOString() });
    try {
      if (!this.options.delivery.canReach(schedule.channels)) await delay(Math.min(maxPreferenceDelayMs, entry.periodMs / 3), this.stopping.signal);
      if (this.stopping.signal.aborted) return;
      const ttl = Math.max(minClaimTtlMs, entry.periodMs * 2);
      if (!(await claimTick(this.options.store, schedule.name, tick, this.owner, ttl))) {
        logger.debug('tick claimed by another replica');
        return;
      }
      await this.execute(entry, tick);
    } catch (error) {
      logger.error({ err: errorMessage(error) }, 'scheduled tick failed');
    }
  }

  private async execute(entry: Entry, tick: Date, requestedBy?: string): Promise<LastRun> {
    const { schedule, timeZone } = entry;
    const logger = this.options.logger.child({ schedule: schedule.name, tick: tick.toISOString() });
    let outcome: LastRun['outcome'] = 'ok';
    let summary: string;
    try {
      summary = await this.options.runJob({ schedule, tick, timeZone, ...(requestedBy ? { requestedBy } : {}) });
      logger.info({ summary }, 'scheduled job ran');
    } catch (error) {
      outcome = 'failed';
      summary = `failed: ${errorMessage(error)}`;
      logger.error({ err: errorMessage(error) }, 'scheduled job failed');
    }
    const lastRun: LastRun = { tick: tick.toISOString(), owner: this.owner, finishedAt: new Date().toISOString(), outcome, summary };
    await this.options.store.set(lastRunKey(schedule.name), lastRun);
    return lastRun;
  }
}

function lastRunKey(name: string): string {
  return `schedule:${name}:last`;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function cronLogger(logger: Logger) {
  return {
    info: (message: string) => logger.debug({ source: 'node-cron' }, message),
    warn: (message: string) => logger.warn({ source: 'node-cron' }, message),
    error: (message: string | Error, err?: Error) => logger.error({ source: 'node-cron', err: errorMessage(err ?? message) }, String(message)),
    debug: (message: string | Error) => logger.debug({ source: 'node-cron' }, String(message)),
  };
}
