// What the learning store decides and measures besides the outcomes: pattern statuses (quarantine,
// validation, retirement — by hand or by the measures), exploration budgets, entropy measurements and
// responses, and backends' rate limits. Kept in a snapshot + journal store like a checkpoint; each
// history is bounded.
import type { BudgetRecord, EntropyMeasure, EntropyResponseRecord, PatternStatus } from '../../../protocol/src/learning.js';

/** A pattern's status and what its counts were when it was set (automatic changes measure from there). */
export interface StatusDecision {
  status: PatternStatus;
  at: number;
  by: 'user' | 'auto' | 'entropy_response';
  reason?: string;
  applications: number;
  successes: number;
}

/** A backend told a job to wait until `until` (epoch ms). */
export interface RateLimitRecord {
  backend: string;
  code: string;
  at: number;
  until: number;
}

export interface LearningState {
  version: 1;
  statuses: Record<string, StatusDecision>;
  budgets: BudgetRecord[];
  entropy: EntropyMeasure[];
  responses: EntropyResponseRecord[];
  rateLimits: RateLimitRecord[];
}

export type LearningRecord =
  | { t: 'status'; id: string; decision: StatusDecision }
  | { t: 'budget'; record: BudgetRecord }
  | { t: 'entropy'; measure: EntropyMeasure }
  | { t: 'response'; record: EntropyResponseRecord }
  | { t: 'rate_limit'; record: RateLimitRecord };

/** History lengths kept. */
export const HISTORY_LIMITS = { budgets: 1000, entropy: 500, responses: 200, rateLimits: 500 } as const;

export function emptyLearningState(): LearningState {
  return { version: 1, statuses: {}, budgets: [], entropy: [], responses: [], rateLimits: [] };
}

const pushBounded = <T>(list: T[], item: T, max: number): void => {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
};

/** Applies one record (in place). */
export function applyLearningRecord(state: LearningState, record: LearningRecord): LearningState {
  switch (record.t) {
    case 'status':
      state.statuses[record.id] = record.decision;
      break;
    case 'budget':
      pushBounded(state.budgets, record.record, HISTORY_LIMITS.budgets);
      break;
    case 'entropy':
      pushBounded(state.entropy, record.measure, HISTORY_LIMITS.entropy);
      break;
    case 'response':
      pushBounded(state.responses, record.record, HISTORY_LIMITS.responses);
      break;
    case 'rate_limit':
      pushBounded(state.rateLimits, record.record, HISTORY_LIMITS.rateLimits);
      break;
  }
  return state;
}

/** A pattern's status (pending when nothing was decided). */
export function statusOf(state: LearningState, id: string): PatternStatus {
  return state.statuses[id]?.status ?? 'pending';
}

/** The latest budget record of a job, if any. */
export function currentBudget(state: LearningState, job: string): BudgetRecord | undefined {
  for (let i = state.budgets.length - 1; i >= 0; i--) if (state.budgets[i]?.job === job) return state.budgets[i];
  return undefined;
}

/** Rate limits still in force at `now`: the latest wait per backend. */
export function activeRateLimits(state: LearningState, now: number): RateLimitRecord[] {
  const latest = new Map<string, RateLimitRecord>();
  for (const r of state.rateLimits) {
    const seen = latest.get(r.backend);
    if (!seen || r.until > seen.until) latest.set(r.backend, r);
  }
  return [...latest.values()].filter((r) => r.until > now);
}
