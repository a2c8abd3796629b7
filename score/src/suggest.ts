// "Did you mean" suggestions: the closest known name within a small edit distance.
import { distance } from 'fastest-levenshtein';

/** The candidate closest to `name` if it is plausibly a typo of it, else undefined. */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) return undefined;
    const d = distance(lower, candidate.toLowerCase());
    // Separators typed differently (`timeoutSeconds`, `timeout-seconds`) count as one edit.
    const squashed = distance(lower.replace(/[-_\s]/g, ''), candidate.toLowerCase().replace(/[-_\s]/g, ''));
    const score = Math.min(d, squashed + 1);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const allowed = Math.max(2, Math.floor(Math.max(name.length, best.length) / 3));
  return bestScore <= allowed ? best : undefined;
}
