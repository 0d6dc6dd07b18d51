import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Cron } from 'croner';
import type { Logger } from 'pino';
import { errorMessage, UserError } from '../core/errors.js';
import type { Store } from '../store/store.js';
import { claimTick, tickKey } from './claim.js';
import { cronJob, firingTick, latestCronTime } from './cron-times.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { JobRunner } from './jobs.js';
import { localDateTime, timeZoneName } from '../core/time-zone.js';
import { notice } from '../core/report.js';
import { isDefaultSchedule, type Schedule } from './schedule-config.js';
import { userText } from '../core/user-text.js';

const minClaimTtlMs = 60_000;
const maxPreferenceDelayMs = 2_000;
const stopGraceMs = 5_000;
/** A tick younger than this at start may still be claimed by a replica that is about to run it. */
const missedGraceMs = 5_000;
const longestMissedLookBackMs = 45 * 86_400_000;

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
  /** The schedule's time zone by name: its own, or this machine's. */
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
  /** Started after the schedules and stopped with them (the maintenance windows). */
  companions?: readonly { start(): Promise<void>; stop(): Promise<void> }[];
}

/** A name for this process among the replicas: host, pid and a random part. */
export function processOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

interface Entry {
  schedule: Schedule;
  /** `undefined`: this machine's local time. */
  timeZone: string | undefined;
  /** Answers next and previous runs from construction; fires once `start` has scheduled it. */
  job: Cron;
  periodMs: number;
}

/**
 * Runs schedules on croner in every replica; each tick is claimed in the store with
 * `create(schedule:<name>:<tick>)`, so exactly one replica runs it. A replica that cannot post on
 * every platform of a schedule waits a moment before claiming, so one that can is preferred. At start, a schedule
 * whose last run is older than its period posts "missed run at T" for the latest tick nobody claimed (once, claimed too).
 */
export class Scheduler {
  readonly owner: string;
  private readonly entries = new Map<string, Entry>();
  private readonly inactive = new Map<string, { schedule: Schedule; reason: string }>();
  private readonly running = new Set<Promise<void>>();
  private started = false;
  private stopping = new AbortController();

  constructor(private readonly options: SchedulerOptions) {
    this.owner = options.owner ?? processOwner();
    for (const schedule of options.schedules) {
      if (!schedule.enabled) {
        this.inactive.set(schedule.name, { schedule, reason: 'disabled' });
        continue;
      }
      if ('runbook' in schedule.run && !options.hasRunbook(schedule.run.runbook)) {
        this.inactive.set(schedule.name, { schedule, reason: `runbook '${schedule.run.runbook}' is not installed` });
        continue;
      }
      const job = cronJob(schedule.cron, schedule.timezone, {
        protect: () => options.logger.warn({ schedule: schedule.name }, `schedule ${schedule.name} skipped a tick: its previous run is still going`),
        catch: (error) => options.logger.error({ schedule: schedule.name, err: errorMessage(error) }, 'scheduled tick failed'),
      });
      const [first, second] = job.nextRuns(2);
      const periodMs = first && second ? second.getTime() - first.getTime() : 86_400_000;
      this.entries.set(schedule.name, { schedule, timeZone: schedule.timezone, job, periodMs });
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
    for (const entry of this.entries.values()) entry.job.schedule(() => this.onTick(entry.schedule.name, firingTick(entry.job)));
    this.options.logger.info({ schedules: [...this.entries.keys()], owner: this.owner }, 'scheduler started');
    const now = new Date();
    for (const entry of this.entries.values()) await this.noticeMissedRun(entry, now);
    for (const companion of this.options.companions ?? []) await companion.start();
  }

  /** Stops the timers and waits briefly for jobs in progress; idempotent. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const companion of this.options.companions ?? []) await companion.stop();
    for (const entry of this.entries.values()) entry.job.stop();
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
      const status: ScheduleStatus = { schedule, timeZone: timeZoneName(schedule.timezone) };
      const inactive = this.inactive.get(schedule.name);
      if (inactive) status.inactive = inactive.reason;
      const next = entry?.job.nextRun();
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

  /** Posts "missed run at T" when the latest tick before `now` came after the last run and nobody claimed it. */
  private async noticeMissedRun(entry: Entry, now: Date): Promise<void> {
    const { schedule, timeZone, periodMs } = entry;
    const { store, delivery, logger } = this.options;
    try {
      const lastRun = await store.get<LastRun>(lastRunKey(schedule.name));
      const latest = now.getTime() - missedGraceMs;
      const last = lastRun ? Date.parse(lastRun.tick) : NaN;
      if (!lastRun || !(latest - last > periodMs)) return;
      const notBefore = Math.max(last + 1, latest - Math.min(2 * periodMs + 3 * 86_400_000, longestMissedLookBackMs));
      const tick = latestCronTime(entry.job, new Date(latest), new Date(notBefore));
      if (!tick || (await store.get(tickKey(schedule.name, tick))) !== undefined) return;
      if (!(await store.create(missedKey(schedule.name, tick), { owner: this.owner }, 2 * periodMs + 86_400_000))) return;
      const at = `${localDateTime(tick, timeZone)} ${timeZoneName(timeZone)}`;
      logger.warn({ schedule: schedule.name, tick: tick.toISOString(), lastRun: lastRun.tick }, `schedule ${schedule.name} missed its run at ${at}`);
      const next = entry.job.nextRun();
      const text =
        `Schedule ${schedule.name}: missed run at ${at} — no maintbot process was running then. ` +
        `Last run: ${localDateTime(new Date(last), timeZone)}${next ? `; next: ${localDateTime(next, timeZone)}` : ''}. Run it now with /maint run ${schedule.name}.`;
      await delivery.broadcast(schedule.channels.filter((channel) => !delivery.isQuiet(channel, false, now, timeZone)), notice('error', text));
    } catch (error) {
      logger.error({ schedule: schedule.name, err: errorMessage(error) }, 'could not check for a missed run');
    }
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

function missedKey(name: string, tick: Date): string {
  return `schedule:${name}:missed:${tick.toISOString()}`;
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
