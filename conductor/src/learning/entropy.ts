// Pattern diversity and what follows from it: the Shannon entropy of how applications spread over the
// patterns, the exploration budget that rises when diversity is low and decays while it is healthy
// (never below its floor), and the automatic entropy response. Pure functions.
import type { BudgetRecord, EntropyMeasure, EntropyResponseRecord } from '../../../protocol/src/learning.js';

/** Diversity of the applications: counts per pattern (zeros allowed: patterns never applied). */
export function measureEntropy(applications: readonly number[], threshold: number, at: number, job?: string): EntropyMeasure {
  const used = applications.filter((n) => n > 0);
  const total = used.reduce((s, n) => s + n, 0);
  let shannon = 0;
  for (const n of used) {
    const p = n / total;
    shannon -= p * Math.log2(p);
  }
  const maxEntropy = used.length > 1 ? Math.log2(used.length) : 1;
  const diversity = total > 0 ? shannon / maxEntropy : 0;
  const dominant = total > 0 ? Math.max(...used) / total : 0;
  return {
    at: new Date(at).toISOString(),
    shannonEntropy: shannon,
    maxEntropy: used.length > 1 ? maxEntropy : 0,
    diversity,
    uniquePatterns: applications.length,
    effectivePatterns: used.length,
    applications: total,
    dominantShare: dominant,
    alert: total > 0 && diversity < threshold,
    threshold,
    ...(job ? { job } : {}),
  };
}

export interface BudgetSettings {
  floor: number;
  ceiling: number;
  decayRate: number;
  boostAmount: number;
  initial: number;
}

/** A proposed budget, held between floor and ceiling (and said so when it had to be). */
function bounded(job: string, at: number, value: number, kind: BudgetRecord['kind'], reason: string, s: BudgetSettings, entropy?: number): BudgetRecord {
  const base = { job, at: new Date(at).toISOString(), ...(entropy !== undefined ? { entropy } : {}) };
  if (value < s.floor) return { ...base, value: s.floor, kind: 'floor_enforced', reason: `Budget ${value.toFixed(3)} raised to the floor ${s.floor.toFixed(3)}` };
  if (value > s.ceiling) return { ...base, value: s.ceiling, kind: 'ceiling_enforced', reason: `Budget ${value.toFixed(3)} lowered to the ceiling ${s.ceiling.toFixed(3)}` };
  return { ...base, value, kind, reason };
}

/** The next budget after an entropy check: boost when diversity is below `threshold`, else decay. */
export function adjustBudget(current: BudgetRecord | undefined, diversity: number, threshold: number, s: BudgetSettings, job: string, at: number): BudgetRecord {
  if (!current) return bounded(job, at, s.initial, 'initial', 'Initial budget set', s, diversity);
  if (diversity < threshold) return bounded(job, at, current.value + s.boostAmount, 'boost', `Diversity ${diversity.toFixed(3)} < threshold ${threshold.toFixed(3)}`, s, diversity);
  return bounded(job, at, current.value * s.decayRate, 'decay', `Diversity ${diversity.toFixed(3)} ≥ threshold ${threshold.toFixed(3)}, decaying`, s, diversity);
}

/** The budget raised by an entropy response. */
export function boostedBudget(current: BudgetRecord | undefined, diversity: number, threshold: number, s: BudgetSettings, job: string, at: number): BudgetRecord {
  return bounded(job, at, (current?.value ?? s.initial) + s.boostAmount, 'boost', `Entropy response: diversity ${diversity.toFixed(3)} < ${threshold.toFixed(3)}`, s, diversity);
}

/** Whether an entropy response is due: diversity under the threshold and the cooldown passed. */
export function responseNeeded(measure: EntropyMeasure, threshold: number, cooldownSeconds: number, last: EntropyResponseRecord | undefined, now: number): { needed: boolean; reason: string } {
  if (last) {
    const since = (now - Date.parse(last.at)) / 1000;
    if (since < cooldownSeconds) return { needed: false, reason: `Cooldown active (${Math.ceil(cooldownSeconds - since)}s remaining)` };
  }
  if (measure.applications === 0) return { needed: false, reason: 'No pattern applications to analyse' };
  if (measure.diversity < threshold) return { needed: true, reason: `Diversity ${measure.diversity.toFixed(3)} < threshold ${threshold.toFixed(3)}` };
  return { needed: false, reason: `Diversity ${measure.diversity.toFixed(3)} ≥ threshold ${threshold.toFixed(3)} (healthy)` };
}
