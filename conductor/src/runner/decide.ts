// Every decision the runner makes, as pure functions: facts in, a verdict out. The runner gathers
// the facts (an attempt's outcome, the checkpoint's counters, what exists on disk) and carries the
// verdict out; nothing here reads a file, the clock or the checkpoint. Tested as tables
// (conductor/test/runner/decide.test.ts).
//   gate()       before an attempt: stop, refuse (E304, E602, E603, E303, E305), circuit breaker
//                cooldown, a rate limit shared with another job, or run.
//   decide()     after an attempt: the no-rule case, classification, cost limits, the breaker's
//                count, and complete / completion / retry / wait / fail / interrupted.
//   jobVerdict() when no sheet runs any more: completed, paused, cancelled or failed, and why.
import type { AgentResult } from '../backends/types.js';
import type { JobStatus, SheetState } from '../../../protocol/src/job-state.js';
import type { Score } from '../../../score/src/score-types.js';
import { classifyFailure } from './classify.js';
import { costWarnings } from './cost-warning.js';
import type { CostWarning } from './cost-warning.js';
import type { ClassifiedError, ErrorCategory } from './errors.js';
import { mcpConfigProblem, promptSize } from './preflight.js';
import type { ValidationOutcome } from './validations.js';

/** Per-sheet counters. Retries and waits are counted separately: waiting never spends a retry. */
export interface AttemptCounters {
  /** Retries already used (the first attempt is not a retry). */
  retries: number;
  completionAttempts: number;
  rateLimitWaits: number;
  quotaWaits: number;
}

/** The next step for a sheet after an attempt. */
export type Decision =
  | { kind: 'complete' }
  | { kind: 'completion'; delayMs: number; reason: string }
  | { kind: 'retry'; delayMs: number; reason: string }
  | { kind: 'wait'; wait: 'rate_limit' | 'quota'; delayMs: number; reason: string }
  /** `heal`: self-healing may look for a remedy first (not for cost limits, which are no fault). */
  | { kind: 'fail'; code: string; category: ErrorCategory; reason: string; heal: boolean }
  /** Stopped by pause or cancel: not a failure; the sheet runs again from the start on resume. */
  | { kind: 'interrupted' };

/** Settings the decisions read. */
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

/**
 * The next step from a classified outcome and the counters: retry, wait, completion or fail.
 * `error` is undefined only when every validation passed.
 */
export function nextStep(outcome: ValidationOutcome, error: ClassifiedError | undefined, counters: AttemptCounters, settings: DecisionSettings, random: () => number = Math.random): Decision {
  if (outcome.allPassed) return { kind: 'complete' };
  const { retry, rate_limit: rateLimit } = settings;
  const err = error ?? { code: 'E209', category: 'validation' as const, message: 'Validations failed.', retryable: true };
  const fail = (reason: string): Decision => ({ kind: 'fail', code: err.code, category: err.category, reason, heal: true });

  if (err.wait === 'quota') {
    if (counters.quotaWaits >= rateLimit.max_quota_waits) return fail(`${err.message} Gave up after ${counters.quotaWaits} quota waits (rate_limit.max_quota_waits).`);
    return { kind: 'wait', wait: 'quota', delayMs: waitDelayMs(err, rateLimit), reason: err.message };
  }
  if (err.wait === 'rate_limit') {
    if (counters.rateLimitWaits >= rateLimit.max_waits) return fail(`${err.message} Gave up after ${counters.rateLimitWaits} rate-limit waits (rate_limit.max_waits).`);
    return { kind: 'wait', wait: 'rate_limit', delayMs: waitDelayMs(err, rateLimit), reason: err.message };
  }
  if (!err.retryable) return fail(err.message);

  // A partial pass on an attempt that ran cleanly asks the agent to finish instead of starting over.
  const partial = err.category === 'validation' && outcome.passed > 0 && outcome.percent >= retry.completion_threshold_percent;
  if (partial && counters.completionAttempts < retry.max_completion_attempts) {
    return { kind: 'completion', delayMs: Math.round(retry.completion_delay_seconds * 1000), reason: `${outcome.passed} of ${outcome.applicable} validations passed (${outcome.percent.toFixed(0)}%).` };
  }
  if (counters.retries >= retry.max_retries) return fail(`${err.message} No retries left (retry.max_retries: ${retry.max_retries}).`);
  return { kind: 'retry', delayMs: retryDelayMs(retry, counters.retries, random), reason: err.message };
}

/** The agent itself reported failure: exit code, signal, timeout, an API error, or never started. */
export function agentFailed(result: AgentResult): boolean {
  return result.exitCode !== 0 || result.signal !== null || result.timedOut || result.stalled === true || result.isError === true || result.startError !== undefined;
}

/** What one attempt produced, and what the checkpoint said before it. */
export interface AttemptFacts {
  sheet: number;
  result: AgentResult;
  /** The validations as they ran. */
  checked: ValidationOutcome;
  counters: AttemptCounters;
  /** Money spent before this attempt, on the sheet and on the job. */
  spent: { sheet: number; job: number };
  /** What this attempt cost. */
  cost: number;
  rateLimitPatterns: readonly RegExp[];
  /** A pause or cancel was asked for while the attempt ran. */
  stopping: boolean;
}

/** Everything decided about an attempt. */
export interface Verdict {
  /** The outcome as it counts: with no rule for the sheet, a failed run is not "done". */
  outcome: ValidationOutcome;
  /** Why the attempt did not pass (undefined when it did). */
  error: ClassifiedError | undefined;
  next: Decision;
  /** The circuit breaker's count of consecutive failures: back to 0, one more, or unchanged (waits). */
  breaker: 'reset' | 'count' | 'keep';
  /** cost_limits.warn_at_percent crossings this attempt caused. */
  costWarnings: CostWarning[];
  /** cost_limits.max_cost_per_job was passed: the whole job stops (failed, E701), its state kept. */
  stopJob?: { code: string; message: string };
}

/** Decides everything about an attempt that ran. */
export function decide(facts: AttemptFacts, settings: Pick<Score, 'retry' | 'rate_limit' | 'cost_limits'>, random: () => number = Math.random): Verdict {
  const { result, checked, sheet, cost, spent } = facts;
  if (result.cancelled && facts.stopping) return { outcome: checked, error: undefined, next: { kind: 'interrupted' }, breaker: 'keep', costWarnings: [] };
  // No rule applies to this sheet: the agent's own verdict is all there is, so a failed run (an
  // API error, a crash, a rate limit) is not "done".
  const outcome = checked.applicable === 0 && agentFailed(result) ? { ...checked, allPassed: false, percent: 0 } : checked;
  const error = outcome.allPassed ? undefined : classifyFailure(result, outcome, facts.rateLimitPatterns);
  // Rate limits are waited out, not counted against the backend's health.
  const breaker = !error ? 'reset' : error.wait ? 'keep' : 'count';
  const limits = settings.cost_limits;
  const base = { outcome, error, breaker, costWarnings: limits.enabled ? costWarnings(limits, sheet, spent.sheet, spent.job, cost) : [] } as const;
  if (limits.enabled) {
    const sheetCost = spent.sheet + cost;
    if (limits.max_cost_per_sheet != null && sheetCost > limits.max_cost_per_sheet) {
      return { ...base, next: { kind: 'fail', code: 'E701', category: 'cost', heal: false, reason: `Sheet ${sheet} cost $${sheetCost.toFixed(4)}, over cost_limits.max_cost_per_sheet ($${limits.max_cost_per_sheet}).` } };
    }
    const jobCost = spent.job + cost;
    if (limits.max_cost_per_job != null && jobCost > limits.max_cost_per_job) {
      const stopJob = { code: 'E701', message: `The job cost $${jobCost.toFixed(4)}, over cost_limits.max_cost_per_job ($${limits.max_cost_per_job}). Raise the limit and resume to continue.` };
      return { ...base, stopJob, next: { kind: 'fail', code: stopJob.code, category: 'cost', heal: false, reason: stopJob.message } };
    }
  }
  return { ...base, next: nextStep(outcome, error, facts.counters, settings, random) };
}

/** What is known just before an attempt would start. */
export interface GateFacts {
  /** A pause, cancel or cost stop has been asked for. */
  stopping: boolean;
  /** The prompt, or why it could not be built (E304 render errors, E303 a missing template file). */
  prompt: string | ClassifiedError;
  /** Consecutive failed attempts of this job (any sheet), for the circuit breaker. */
  consecutiveFailures: number;
  /** Epoch ms until which another job on the same backend waits out a rate limit (0: none). */
  sharedRateLimitUntil: number;
  now: number;
  /** Where the agent would run, whether it exists, and whether it is the job's worktree. */
  cwd: { path: string; exists: boolean; worktree: boolean };
  /** backend.cli_extra_args (for --mcp-config), and a way to ask whether a path exists. */
  extraArgs: readonly string[];
  exists: (path: string) => boolean;
}

export type Gate =
  | { kind: 'run'; warning?: string }
  | { kind: 'stop' }
  /** The attempt must not start; self-healing may find a remedy, after which it is tried again. */
  | { kind: 'refuse'; error: ClassifiedError }
  /** Circuit breaker open: wait the cooldown, then let one attempt through (half-open). */
  | { kind: 'circuit_open'; delayMs: number; failures: number; failuresAfter: number }
  /** Another job on this backend was rate limited: wait with it (no retry or wait is spent). */
  | { kind: 'shared_wait'; until: number };

/** Decides whether the next attempt may start. */
export function gate(facts: GateFacts, settings: Pick<Score, 'circuit_breaker'>): Gate {
  if (facts.stopping) return { kind: 'stop' };
  if (typeof facts.prompt !== 'string') return { kind: 'refuse', error: facts.prompt };
  const breaker = settings.circuit_breaker;
  if (breaker.enabled && facts.consecutiveFailures >= breaker.failure_threshold) {
    return { kind: 'circuit_open', delayMs: breaker.recovery_timeout_seconds * 1000, failures: facts.consecutiveFailures, failuresAfter: breaker.failure_threshold - 1 };
  }
  if (facts.sharedRateLimitUntil > facts.now) return { kind: 'shared_wait', until: facts.sharedRateLimitUntil };
  if (!facts.cwd.exists) {
    // Spawning in a missing folder fails with a misleading "not found" for the shell.
    const message = facts.cwd.worktree
      ? `The job's git worktree ${facts.cwd.path} no longer exists; resume re-creates it from its branch.`
      : `The agent's working directory ${facts.cwd.path} does not exist (backend.working_directory). Create it or correct the path, then resume.`;
    return { kind: 'refuse', error: { code: 'E603', category: 'preflight', message, retryable: false } };
  }
  const size = promptSize(facts.prompt);
  if (size.kind === 'refuse') return { kind: 'refuse', error: size.error };
  const mcp = mcpConfigProblem(facts.extraArgs, facts.cwd.path, facts.exists);
  if (mcp) return { kind: 'refuse', error: mcp };
  return size.kind === 'warn' ? { kind: 'run', warning: size.message } : { kind: 'run' };
}

/** How the job's run ended, as far as the runner knows. */
export interface JobFacts {
  sheets: Readonly<Record<string, Pick<SheetState, 'status' | 'lastError'>>>;
  /** What was asked: pause, cancel, or nothing. */
  stop: 'pause' | 'cancel' | undefined;
  /** The job-level cost limit stopped it. */
  costStop: { code: string; message: string } | undefined;
}

/** The job's status when no sheet runs any more, and the error it failed with. */
export function jobVerdict(facts: JobFacts): { status: JobStatus; error: { code: string; message: string } | null } {
  const sheets = Object.values(facts.sheets);
  if (facts.stop === 'cancel') return { status: 'cancelled', error: null };
  if (facts.costStop) return { status: 'failed', error: facts.costStop };
  if (sheets.every((s) => s.status === 'completed' || s.status === 'skipped')) return { status: 'completed', error: null };
  if (facts.stop === 'pause' && !sheets.some((s) => s.status === 'failed')) return { status: 'paused', error: null };
  const failed = Object.entries(facts.sheets).find(([, s]) => s.status === 'failed');
  return {
    status: 'failed',
    error: failed
      ? { code: failed[1].lastError?.code ?? 'E999', message: `Sheet ${failed[0]} failed: ${failed[1].lastError?.message ?? 'unknown error'}` }
      : { code: 'E999', message: 'Some sheets could not run because a sheet they depend on did not complete.' },
  };
}
