// What to do after an attempt: a pure decision from the outcome, the counters and the score's
// retry and rate-limit settings. Tested as a table; the sheet loop only carries it out.
import type { Score } from '../../../score/src/score-types.js';
import type { ClassifiedError } from './errors.js';
import type { ValidationOutcome } from './validations.js';

/** Per-sheet counters. Retries and waits are counted separately: waiting never spends a retry. */
export interface AttemptCounters {
  /** Retries already used (the first attempt is not a retry). */
  retries: number;
  completionAttempts: number;
  rateLimitWaits: number;
  quotaWaits: number;
}

export type Decision =
  | { kind: 'complete' }
  | { kind: 'completion'; delayMs: number; reason: string }
  | { kind: 'retry'; delayMs: number; reason: string }
  | { kind: 'wait'; wait: 'rate_limit' | 'quota'; delayMs: number; reason: string }
  | { kind: 'fail'; code: string; reason: string };

/** Settings the decision reads. */
export type DecisionSettings = Pick<Score, 'retry' | 'rate_limit'>;

/** Exponential backoff: min(base × exponential_base^retries, max), ±25 % jitter when enabled. */
export function retryDelayMs(retry: Score['retry'], retries: number, random: () => number = Math.random): number {
  const raw = Math.min(retry.base_delay_seconds * retry.exponential_base ** retries, retry.max_delay_seconds);
  const jittered = retry.jitter ? raw * (0.75 + random() * 0.5) : raw;
  return Math.round(Math.min(jittered, retry.max_delay_seconds) * 1000);
}

/**
 * How long a rate-limit or quota wait lasts: wait_minutes, or less when the API said when to come
 * back (retry-after). The score's wait stays the ceiling, so a huge header cannot stall a job.
 */
function waitDelayMs(err: ClassifiedError, rateLimit: Score['rate_limit']): number {
  const configured = rateLimit.wait_minutes * 60_000;
  return err.waitMs === undefined ? configured : Math.min(err.waitMs, configured);
}

/** Decides the next step for a sheet. `error` is undefined only when every validation passed. */
export function decide(
  outcome: ValidationOutcome,
  error: ClassifiedError | undefined,
  counters: AttemptCounters,
  settings: DecisionSettings,
  random: () => number = Math.random,
): Decision {
  if (outcome.allPassed) return { kind: 'complete' };
  const { retry, rate_limit: rateLimit } = settings;
  const err = error ?? { code: 'E209', category: 'validation' as const, message: 'Validations failed.', retryable: true };

  if (err.wait === 'quota') {
    if (counters.quotaWaits >= rateLimit.max_quota_waits) return { kind: 'fail', code: err.code, reason: `${err.message} Gave up after ${counters.quotaWaits} quota waits (rate_limit.max_quota_waits).` };
    return { kind: 'wait', wait: 'quota', delayMs: waitDelayMs(err, rateLimit), reason: err.message };
  }
  if (err.wait === 'rate_limit') {
    if (counters.rateLimitWaits >= rateLimit.max_waits) return { kind: 'fail', code: err.code, reason: `${err.message} Gave up after ${counters.rateLimitWaits} rate-limit waits (rate_limit.max_waits).` };
    return { kind: 'wait', wait: 'rate_limit', delayMs: waitDelayMs(err, rateLimit), reason: err.message };
  }
  if (!err.retryable) return { kind: 'fail', code: err.code, reason: err.message };

  // A partial pass on an attempt that ran cleanly asks the agent to finish instead of starting over.
  const partial = err.category === 'validation' && outcome.passed > 0 && outcome.percent >= retry.completion_threshold_percent;
  if (partial && counters.completionAttempts < retry.max_completion_attempts) {
    return { kind: 'completion', delayMs: Math.round(retry.completion_delay_seconds * 1000), reason: `${outcome.passed} of ${outcome.applicable} validations passed (${outcome.percent.toFixed(0)}%).` };
  }
  if (counters.retries >= retry.max_retries) {
    return { kind: 'fail', code: err.code, reason: `${err.message} No retries left (retry.max_retries: ${retry.max_retries}).` };
  }
  return { kind: 'retry', delayMs: retryDelayMs(retry, counters.retries, random), reason: err.message };
}
