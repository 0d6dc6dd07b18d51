import type { Logger } from 'pino';
import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import { maskUrlToken } from '../core/mask.js';
import type { Readiness } from './readiness.js';

const maxRequestMs = 10_000;

/** `heartbeat:` in the config: a push URL pinged while the bot is healthy, so a monitor outside says when it is not. */
export const heartbeatSchema = z
  .object({
    url: z
      .preprocess(
        (value) => (value === '' ? undefined : value),
        z.string().regex(/^https?:\/\/[^\s]+$/, 'expected an http:// or https:// URL, e.g. https://hc-ping.com/<uuid> or https://kuma.example/api/push/<token>?status=up').optional(),
      )
      .describe('pinged with GET (healthchecks.io, Uptime Kuma push monitors…); a secret, best read from the environment; empty: no heartbeat'),
    every: z
      .string()
      .refine((text) => (parseDuration(text) ?? 0) >= 1000, 'expected a duration of at least 1s, e.g. 1m')
      .default('1m'),
  })
  .strict()
  .optional();

/** Validated heartbeat settings. */
export type HeartbeatSettings = NonNullable<z.output<typeof heartbeatSchema>>;

/** What the heartbeat needs: where and how often to ping, and whether the bot is healthy right now. */
export interface HeartbeatOptions {
  url: string;
  everyMs: number;
  /** Readiness as `/readyz` judges it: the store answers and every chat is connected. */
  readiness: () => Promise<Readiness>;
  logger: Logger;
}

/** A running heartbeat. */
export interface Heartbeat {
  /** Stops pinging and waits for a ping in flight (cut short); idempotent. */
  stop(): Promise<void>;
}

/**
 * Pings `url` now and then every `everyMs` while the bot is ready, and not while it is not (so the monitor
 * alerts). A failed ping is logged with the URL's token hidden; pings never overlap; the timer does not keep
 * the process alive.
 */
export function startHeartbeat(options: HeartbeatOptions): Heartbeat {
  const logger = options.logger.child({ component: 'heartbeat', url: maskUrlToken(options.url) });
  const aborting = new AbortController();
  let inFlight: Promise<void> | undefined;
  let lastProblem: string | undefined;

  const report = (problem: string | undefined): void => {
    if (problem === lastProblem) return;
    if (problem) logger.warn({ problem }, 'heartbeat not sent');
    else logger.info('heartbeat sent again');
    lastProblem = problem;
  };

  const beat = async (): Promise<void> => {
    const readiness = await options.readiness();
    if (aborting.signal.aborted) return;
    if (!readiness.ready) return report(`not ready: ${readiness.down.map((down) => `${down.component} ${down.reason}`).join(', ')}`);
    try {
      const signal = AbortSignal.any([aborting.signal, AbortSignal.timeout(Math.min(maxRequestMs, options.everyMs))]);
      const response = await fetch(options.url, { method: 'GET', signal, redirect: 'follow' });
      await response.body?.cancel();
      report(response.ok ? undefined : `the monitor answered HTTP ${response.status}`);
    } catch (error) {
      if (aborting.signal.aborted) return;
      report(`ping failed: ${withoutUrl(errorMessage(error), options.url)}`);
    }
  };

  const tick = (): void => {
    if (inFlight || aborting.signal.aborted) return;
    inFlight = beat()
      .catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'heartbeat failed'))
      .finally(() => {
        inFlight = undefined;
      });
  };

  const timer = setInterval(tick, options.everyMs);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      aborting.abort();
      await inFlight;
    },
  };
}

function withoutUrl(text: string, url: string): string {
  return text.split(url).join(maskUrlToken(url));
}
