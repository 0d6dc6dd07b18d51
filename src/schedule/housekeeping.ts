import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import { notice } from '../core/report.js';
import type { Channel } from '../outbound/channels.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { Schedule } from './schedule-config.js';

/** One system's repeated background work, as the system registry hands it out. */
export interface HousekeepingWork {
  system: string;
  intervalMs: number;
  run(logger: Logger): Promise<string[]>;
}

/** The channels of the schedules that run restore tests: where the orphan sweep says what it dropped. */
export function restoreTestChannels(schedules: readonly Schedule[]): Channel[] {
  const seen = new Set<string>();
  return schedules
    .filter((schedule) => schedule.enabled && 'runbook' in schedule.run && schedule.run.runbook === 'restore-test')
    .flatMap((schedule) => schedule.channels)
    .filter((channel) => {
      const key = `${channel.platform}:${channel.id}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * Repeats each system's housekeeping on its interval (timers do not keep the process alive) and posts what a
 * round did in `channels`. A round never overlaps the previous one; a failure is logged. `stop()` ends it.
 */
export function startHousekeeping(work: readonly HousekeepingWork[], channels: readonly Channel[], delivery: ChannelDelivery, logger: Logger): { stop(): void } {
  const timers = work.map((item) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      void item
        .run(logger)
        .then(async (lines) => {
          if (lines.length > 0 && channels.length > 0) await delivery.broadcast(channels, notice('info', `Orphan sweep (${item.system}): ${lines.join('; ')}.`));
        })
        .catch((error: unknown) => logger.warn({ system: item.system, err: errorMessage(error) }, 'housekeeping of a system failed'))
        .finally(() => {
          running = false;
        });
    }, item.intervalMs);
    timer.unref();
    return timer;
  });
  return { stop: () => timers.forEach((timer) => clearInterval(timer)) };
}
