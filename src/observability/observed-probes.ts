import { checkIds } from '../core/finding.js';
import type { Probe } from '../core/probe.js';
import type { SharedReads } from '../core/shared-reads.js';
import type { SharedSessions } from '../core/shared-sessions.js';
import type { Metrics } from './metrics.js';

/**
 * The same probes, reporting every finding to `maintbot_check_state` (by its label) as they answer; a probe
 * that fails or is aborted (timed out) counts as `reachable` crit, or is dropped for an optional target.
 */
export function observedProbes(probes: readonly Probe[], metrics: Pick<Metrics, 'checkJudged'>): Probe[] {
  return probes.map((probe) => ({
    target: probe.target,
    system: probe.system,
    optional: probe.optional,
    ...(probe.server === undefined ? {} : { server: probe.server }),
    ...(probe.connections === undefined ? {} : { connections: probe.connections }),
    async run(signal: AbortSignal, shared?: SharedReads, sessions?: SharedSessions) {
      let answered = false;
      const onAbort = (): void => {
        if (!answered) metrics.checkJudged(probe.target, checkIds.reachable, probe.optional ? 'skipped' : 'crit');
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const findings = await probe.run(signal, shared, sessions);
        answered = true;
        if (!signal.aborted) {
          if (!findings.some((finding) => finding.checkId === checkIds.reachable)) metrics.checkJudged(probe.target, checkIds.reachable, 'ok');
          for (const finding of findings) metrics.checkJudged(probe.target, finding.label, finding.status);
        }
        return findings;
      } catch (error) {
        answered = true;
        if (!signal.aborted) metrics.checkJudged(probe.target, checkIds.reachable, probe.optional ? 'skipped' : 'crit');
        throw error;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  }));
}
