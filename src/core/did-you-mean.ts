import { closest, distance } from 'fastest-levenshtein';

/**
 * The candidate a misspelt name most likely meant: one it is the start of (two letters at least), else the
 * closest within a third of its length; undefined when none is close enough to be a likely typo.
 */
export function likelyMeant(name: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const prefixMatch = candidates.find((candidate) => candidate.startsWith(name) && name.length >= 2);
  if (prefixMatch) return prefixMatch;
  const best = closest(name, [...candidates]);
  return distance(name, best) <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** " Did you mean X?" for the likely meant candidate, else an empty string; for the end of a refusal. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const meant = likelyMeant(name, candidates);
  return meant === undefined ? '' : ` Did you mean ${meant}?`;
}
