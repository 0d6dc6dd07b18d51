import type { Probe } from '../core/probe.js';
import type { Metrics } from './metrics.js';

/**
 * The same probes, reporting every judged line to `maintbot_check_state` as they answer; a probe that
 * fails or is aborted (timed out) counts as `reachable` crit, or is dropped for an optional target.
 */
export function observedProbes(probes: readonly Probe[], metrics: Pick<Metrics, 'checkJudged'>): Probe[] {
  return probes.map((probe) => ({
    target: probe.target,
    system: probe.system,
    optional: probe.optional,
    async run(signal: AbortSignal) {
      let answered = false;
      const onAbort = (): void => {
        if (!answered) metrics.checkJudged(probe.target, 'reachable', probe.optional ? 'skipped' : 'crit');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const lines = await probe.run(signal);
        answered = true;
        if (!signal.aborted) {
          if (!lines.some((line) => line.label === 'reachable')) metrics.checkJudged(probe.target, 'reachable', 'ok');
          for (const line of lines) metrics.checkJudged(probe.target, line.label, line.status);
        }
        return lines;
      } catch (error) {
        answered = true;
        if (!signal.aborted) metrics.checkJudged(probe.target, 'reachable', probe.optional ? 'skipped' : 'crit');
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  }));
}
