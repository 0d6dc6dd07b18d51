import type { Cron } from 'croner';
import type { Logger } from 'pino';
import { parseDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import { notice } from '../core/report.js';
import { localClock, localDateTime, timeZoneName } from '../core/time-zone.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import { cronJob, firingTick, latestCronTime } from '../schedule/cron-times.js';
import type { Store } from '../store/store.js';
import type { MaintenanceWindow } from './maintenance-config.js';
import { matcherText, matchesAll, type AlertLabels } from './matchers.js';
import type { AlertSilencer } from './pipeline.js';

const claimSlackMs = 3_600_000;

/** What the maintenance windows are built from. */
export interface MaintenanceWindowsOptions {
  windows: readonly MaintenanceWindow[];
  store: Store;
  delivery: ChannelDelivery;
  logger: Logger;
  /** This process among the replicas, stored with each claimed start or end post. */
  owner: string;
}

interface Occurrence {
  start: number;
  end: number;
}

interface Entry {
  window: MaintenanceWindow;
  /** `undefined`: this machine's local time. */
  timeZone: string | undefined;
  durationMs: number;
  job?: Cron;
  current?: Occurrence;
  /** The next start, so a health run at the very tick a window opens is covered whichever timer fires first. */
  nextStart?: number;
  endTimer?: NodeJS.Timeout;
}

/** The store key one start or end post of one occurrence of a window is claimed under, so one replica posts it. */
export function windowPostKey(name: string, start: number, edge: 'started' | 'ended'): string {
  return `maintenance:${name}:${new Date(start).toISOString()}:${edge}`;
}

/**
 * `maintenance_windows` at run time: every replica follows each window's cron on its own (so each knows when a
 * window is open without asking the store), silences the alerts it covers while it lasts, and posts "started" and
 * "ended" to the window's channels, each claimed in the store so exactly one replica posts it. A replica that
 * starts while a window is open picks it up, and posts its start when nobody has.
 */
export class MaintenanceWindows implements AlertSilencer {
  private readonly entries: Entry[];

  constructor(private readonly options: MaintenanceWindowsOptions) {
    this.entries = options.windows.map((window) => ({ window, timeZone: window.timezone, durationMs: parseDuration(window.duration)! }));
  }

  /** Starts following the windows' crons; a window open now begins at once. */
  async start(): Promise<void> {
    const now = Date.now();
    for (const entry of this.entries) {
      if (entry.job) continue;
      const job = cronJob(entry.window.cron, entry.timeZone, {
        catch: (error) => this.options.logger.error({ window: entry.window.name, err: errorMessage(error) }, 'could not open a maintenance window'),
      });
      entry.job = job.schedule(() => this.begin(entry, firingTick(job).getTime()));
      entry.nextStart = job.nextRun()?.getTime();
      const open = latestCronTime(job, new Date(now), new Date(now - entry.durationMs + 1));
      if (open) await this.begin(entry, open.getTime());
    }
  }

  /** Stops the crons and the end timers; idempotent. */
  async stop(): Promise<void> {
    for (const entry of this.entries) {
      clearTimeout(entry.endTimer);
      delete entry.current;
      delete entry.nextStart;
      entry.job?.stop();
      delete entry.job;
    }
  }

  async silencing(labels: AlertLabels, now: number): Promise<string | undefined> {
    const covering = this.entries.find((entry) => isOpen(entry, now) && matchesAll(entry.window.matchers, labels));
    return covering && `maintenance window ${covering.window.name}`;
  }

  private async begin(entry: Entry, start: number): Promise<void> {
    const occurrence = { start, end: start + entry.durationMs };
    entry.current = occurrence;
    entry.nextStart = entry.job?.nextRun()?.getTime();
    clearTimeout(entry.endTimer);
    entry.endTimer = setTimeout(() => void this.finish(entry, occurrence), Math.max(0, occurrence.end - Date.now()));
    entry.endTimer.unref();
    this.options.logger.info({ window: entry.window.name, until: new Date(occurrence.end).toISOString() }, 'maintenance window open');
    const until = entry.durationMs < 86_400_000 ? localClock(new Date(occurrence.end), entry.timeZone) : localDateTime(new Date(occurrence.end), entry.timeZone);
    await this.announce(entry, occurrence, 'started', () => `Maintenance window ${entry.window.name} started: alerts matching ${entry.window.matchers.map(matcherText).join(' ')} are silenced until ${until} (${timeZoneName(entry.timeZone)}).`);
  }

  private async finish(entry: Entry, occurrence: Occurrence): Promise<void> {
    if (entry.current !== occurrence) return;
    delete entry.current;
    this.options.logger.info({ window: entry.window.name }, 'maintenance window closed');
    await this.announce(entry, occurrence, 'ended', () => `Maintenance window ${entry.window.name} ended: alerts matching ${entry.window.matchers.map(matcherText).join(' ')} are posted again; those still open follow on the next health run.`);
  }

  /** Claims and posts one edge of an occurrence; the text is written only when someone is told (it may name this machine's zone, which maps ICU's data). */
  private async announce(entry: Entry, occurrence: Occurrence, edge: 'started' | 'ended', text: () => string): Promise<void> {
    const { store, delivery, owner, logger } = this.options;
    try {
      const claimed = await store.create(windowPostKey(entry.window.name, occurrence.start, edge), { owner, at: new Date().toISOString() }, entry.durationMs + claimSlackMs);
      if (!claimed) return;
      const now = new Date();
      const awake = entry.window.channels.filter((channel) => !delivery.isQuiet(channel, false, now, entry.timeZone));
      if (awake.length > 0) await delivery.broadcast(awake, notice('info', text()));
    } catch (error) {
      logger.error({ window: entry.window.name, edge, err: errorMessage(error) }, 'could not announce a maintenance window');
    }
  }
}

function isOpen({ current, nextStart, durationMs }: Entry, now: number): boolean {
  if (current && current.start <= now && now < current.end) return true;
  return nextStart !== undefined && nextStart <= now && now < nextStart + durationMs;
}
