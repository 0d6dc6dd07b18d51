import { checkIds } from '../core/finding.js';
import { matchesAll, type AlertLabels, type Matcher } from './matchers.js';

/**
 * An `alerts.inhibit` rule, as in Alertmanager: while an alert matching `source` fires, every alert matching
 * `target` (with the same values of the `equal` labels; a label both lack counts as equal) is not raised.
 *
 * @example
 * { source: [parseMatcher('target=db-host'), parseMatcher('check=reachable')], target: [parseMatcher('host=db-host')], equal: [] }
 */
export interface InhibitRule {
  source: readonly Matcher[];
  target: readonly Matcher[];
  equal: readonly string[];
}

/** Always on: a target whose `reachable` check fails suppresses its own other checks. */
export const unreachableTargetRule: InhibitRule = {
  source: [{ name: 'check', operator: '=', value: checkIds.reachable }],
  target: [{ name: 'check', operator: '!=', value: checkIds.reachable }],
  equal: ['target'],
};

/** One check in a run, by its key, with its labels and whether it fails (warn or crit) in this run. */
export interface InhibitionCandidate {
  key: string;
  labels: AlertLabels;
  failing: boolean;
}

/**
 * Which failing checks of one run are inhibited, and by which check (its key): the failing checks of the same
 * run are the sources. As in Alertmanager, an alert that matches a rule's source and target is inhibited
 * only by a source that does not itself match the target, so no alert inhibits itself.
 */
export function inhibitedChecks(candidates: readonly InhibitionCandidate[], rules: readonly InhibitRule[]): Map<string, string> {
  const failing = candidates.filter((candidate) => candidate.failing);
  const inhibited = new Map<string, string>();
  for (const alert of failing) {
    for (const rule of rules) {
      if (!matchesAll(rule.target, alert.labels)) continue;
      const twoSided = matchesAll(rule.source, alert.labels);
      const source = failing.find(
        (candidate) =>
          candidate.key !== alert.key &&
          matchesAll(rule.source, candidate.labels) &&
          !(twoSided && matchesAll(rule.target, candidate.labels)) &&
          rule.equal.every((name) => (candidate.labels[name] ?? '') === (alert.labels[name] ?? '')),
      );
      if (source) {
        inhibited.set(alert.key, source.key);
        break;
      }
    }
  }
  return inhibited;
}
