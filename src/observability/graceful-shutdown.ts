import type { Logger } from 'pino';

/** Work to do once at shutdown, after running steps have ended (e.g. dropping scratch databases). */
export type ShutdownTask = () => Promise<void>;

/** The parts of the core that take part in a graceful stop. */
export interface DrainableCore {
  router: { refuseNewCommands(): void; whenIdle(timeoutMs: number): Promise<boolean> };
  engine: { stopStartingSteps(): void; interruptAll(timeoutMs: number): Promise<void>; readonly runningCount: number };
  approvals: { releaseRunningLocks(): Promise<void> };
  logger: Logger;
}

/** How long each phase of a graceful stop may take. */
export interface DrainTimings {
  /** How long running steps may go on before they are interrupted. */
  graceMs: number;
  /** How long interrupted runs get to record that they were interrupted. */
  interruptMs: number;
}

/** The default timings, chosen to fit a 10 s stop together with closing connections. */
export const defaultDrainTimings: DrainTimings = { graceMs: 4_000, interruptMs: 3_000 };

/**
 * Stops taking commands, lets running steps finish within the grace period (no further step starts),
 * interrupts what still runs (recorded as `interrupted` in the audit) and releases the locks of runs
 * this process held.
 */
export async function drainCore(core: DrainableCore, timings: DrainTimings = defaultDrainTimings): Promise<void> {
  core.router.refuseNewCommands();
  core.engine.stopStartingSteps();
  if (!(await core.router.whenIdle(timings.graceMs))) {
    core.logger.warn({ runs: core.engine.runningCount, graceMs: timings.graceMs }, 'steps still running at shutdown; interrupting them');
    await core.engine.interruptAll(timings.interruptMs);
    await core.router.whenIdle(timings.interruptMs);
  }
  await core.approvals.releaseRunningLocks();
}

/** Runs every shutdown task at once, each failure logged; gives up waiting after `timeoutMs`. */
export async function runShutdownTasks(tasks: readonly ShutdownTask[], logger: Logger, timeoutMs: number): Promise<void> {
  if (tasks.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const all = Promise.allSettled(
    tasks.map(async (task) => {
      try {
        await task();
      } catch (error) {
        logger.error({ err: error }, 'a shutdown task failed');
      }
    }),
  );
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
  if ((await Promise.race([all, late])) === 'late') logger.error({ timeoutMs }, 'shutdown tasks did not finish in time');
  clearTimeout(timer);
}
