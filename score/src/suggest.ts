// "Did you mean" suggestions: the closest known name within a small edit distance.
import { distance } from 'fastest-levenshtein';

/** How far a name may be from a known one and still be taken for a typo of it. */
function allowedDistance(a: number, b: number): number {
  return Math.max(2, Math.floor(Math.max(a, b) / 3));
}

const squash = (text: string): string => text.replace(/[-_\s]/g, '');

/** The candidate closest to `name` if it is plausibly a typo of it, else undefined. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const lowerSquashed = squash(lower);
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) return undefined;
    const other = candidate.toLowerCase();
    const otherSquashed = squash(other);
    // Both distances are at least the difference in length: a candidate that cannot beat the best
    // so far, or cannot be within the allowed distance at all, is not measured (a score with
    // 100,000 unknown keys spends its time here otherwise).
    const floor = Math.min(Math.abs(lower.length - other.length), Math.abs(lowerSquashed.length - otherSquashed.length) + 1);
    if (floor >= bestScore || floor > allowedDistance(name.length, candidate.length)) continue;
    // Separators typed differently (`timeoutSeconds`, `timeout-seconds`) count as one edit.
    const score = Math.min(distance(lower, other), distance(lowerSquashed, otherSquashed) + 1);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  return bestScore <= allowedDistance(name.length, best.length) ? best : undefined;
}
