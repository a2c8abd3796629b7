// Drift: whether a pattern's effectiveness (did the attempts it was applied to pass?) and the
// confidence of those verdicts (the share of rules passed) changed between its previous `window`
// applications and its latest `window`. Pure functions of a pattern's recent applications.
import type { EffectivenessDrift, EpistemicDrift } from '../../../protocol/src/learning.js';
import type { Application } from './aggregate.js';
import { RECENT_APPLICATIONS } from './aggregate.js';

/** The largest window the kept applications allow (two windows are compared). */
export const MAX_DRIFT_WINDOW = RECENT_APPLICATIONS / 2;
/** A change smaller than this is noise: "stable". */
const NOISE = 0.05;

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

/** The two windows, or undefined when there are fewer than 2 × window applications. */
function windows(recent: readonly Application[], window: number): { older: Application[]; latest: Application[] } | undefined {
  if (window < 1 || recent.length < window * 2) return undefined;
  const used = recent.slice(-window * 2);
  return { older: used.slice(0, window), latest: used.slice(window) };
}

/** Effectiveness drift, with whether it passes `threshold` (weighted up when the verdicts were unsure). */
export function effectivenessDrift(id: string, name: string, recent: readonly Application[], window: number, threshold: number): { drift: EffectivenessDrift; exceeded: boolean } | undefined {
  const w = windows(recent, window);
  if (!w) return undefined;
  const eff = (apps: Application[]) => (apps.filter(([, ok]) => ok === 1).length + 0.5) / (apps.length + 1);
  const before = eff(w.older);
  const after = eff(w.latest);
  const confidenceAvg = mean([...w.older, ...w.latest].map(([, , c]) => c));
  const change = after - before;
  const magnitude = Math.abs(change);
  const direction = change > NOISE ? 'positive' : change < -NOISE ? 'negative' : 'stable';
  return {
    drift: { patternId: id, name, window, before, after, magnitude, direction, confidenceAvg, applications: window * 2 },
    exceeded: magnitude / Math.max(confidenceAvg, 0.5) > threshold,
  };
}

/** Epistemic drift: how the confidence of the verdicts moved, and how unsteady it is (0…1). */
export function epistemicDrift(id: string, name: string, recent: readonly Application[], window: number, threshold: number): { drift: EpistemicDrift; exceeded: boolean } | undefined {
  const w = windows(recent, window);
  if (!w) return undefined;
  const before = mean(w.older.map(([, , c]) => c));
  const after = mean(w.latest.map(([, , c]) => c));
  const all = [...w.older, ...w.latest].map(([, , c]) => c);
  const m = mean(all);
  const sd = Math.sqrt(mean(all.map((c) => (c - m) ** 2)));
  const entropy = m > 0 ? Math.min(1, sd / m) : 0;
  const change = after - before;
  const direction = change > NOISE ? 'strengthening' : change < -NOISE ? 'weakening' : 'stable';
  return {
    drift: { patternId: id, name, window, confidenceBefore: before, confidenceAfter: after, beliefChange: change, beliefEntropy: entropy, direction, applications: window * 2 },
    exceeded: Math.abs(change) * (1 + entropy) > threshold,
  };
}
