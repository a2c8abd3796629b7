// cost_limits.warn_at_percent: a warning the moment spending crosses that share of a limit. Decided
// from the costs before and after an attempt, so it fires once per crossing and a resumed job that
// is already past the mark does not warn again.
import type { Score } from '../../../score/src/score-types.js';

export interface CostWarning {
  costUsd: number;
  limitUsd: number;
  percent: number;
  sheet?: number;
  message: string;
}

/** The warnings an attempt costing `cost` raises (sheet limit, job limit, or both). */
export function costWarnings(limits: Score['cost_limits'], sheet: number, sheetBefore: number, jobBefore: number, cost: number): CostWarning[] {
  if (!limits.enabled || cost <= 0) return [];
  const percent = limits.warn_at_percent;
  const out: CostWarning[] = [];
  const crossed = (before: number, limit: number | null | undefined): limit is number => limit != null && before < (limit * percent) / 100 && before + cost >= (limit * percent) / 100;
  if (crossed(sheetBefore, limits.max_cost_per_sheet)) {
    const spent = sheetBefore + cost;
    out.push({ costUsd: spent, limitUsd: limits.max_cost_per_sheet, percent, sheet, message: `Sheet ${sheet} has cost $${spent.toFixed(4)}, ${percent}% or more of cost_limits.max_cost_per_sheet ($${limits.max_cost_per_sheet}).` });
  }
  if (crossed(jobBefore, limits.max_cost_per_job)) {
    const spent = jobBefore + cost;
    out.push({ costUsd: spent, limitUsd: limits.max_cost_per_job, percent, message: `The job has cost $${spent.toFixed(4)}, ${percent}% or more of cost_limits.max_cost_per_job ($${limits.max_cost_per_job}); it stops at the limit.` });
  }
  return out;
}
