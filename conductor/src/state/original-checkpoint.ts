// The original Mozart's checkpoint shape (its CheckpointState / SheetState models), built from our
// JobState for the read-only `<workspace>/<job-id>.json` view that the original's users read with
// jq or a few lines of Python. Pure functions: one sheet at a time (so a writer can keep each
// sheet's text and rebuild only the sheets that changed) and the job-level fields in one pass.
// Nothing reads this shape back; our checkpoint is `.mozart/state/`.
import type { ErrorRecord, JobState, RuleRecord, SheetState } from '../../../protocol/src/job-state.js';

/** The original kept the last 10 KB of each stream per sheet. */
export const ORIGINAL_TAIL_BYTES = 10240;

/** One validation result as the original's `validation_details` entries hold it. */
export interface OriginalValidationDetail {
  rule_type: string;
  description: string | null;
  passed: boolean;
  actual_value: string | null;
  expected_value: string | null;
  error_message: string | null;
  checked_at: string | null;
  confidence: number;
  failure_reason: string | null;
  failure_category: string | null;
  suggested_fix: string | null;
}

/** One error as the original's `error_history` entries hold it. */
export interface OriginalErrorRecord {
  timestamp: string;
  error_type: 'transient' | 'rate_limit' | 'permanent';
  error_code: string;
  error_message: string;
  attempt_number: number;
  context: { category: string };
}

/** The last `maxBytes` bytes of `text` as UTF-8 (a character cut in two becomes U+FFFD, as in the original). */
export function tailBytes(text: string | undefined, maxBytes = ORIGINAL_TAIL_BYTES): { text: string | null; truncated: boolean } {
  if (!text) return { text: null, truncated: false };
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return { text, truncated: false };
  const bytes = Buffer.from(text);
  return { text: bytes.subarray(bytes.length - maxBytes).toString('utf8'), truncated: true };
}

/** The rules that ran on the sheet's latest attempt (skipped and not-run rules are left out, as the original did). */
function ranRules(sheet: SheetState): RuleRecord[] {
  return (sheet.validations ?? []).filter((r) => r.status === 'passed' || r.status === 'failed');
}

function validationDetail(rule: RuleRecord, checkedAt: string | null): OriginalValidationDetail {
  const passed = rule.status === 'passed';
  return {
    rule_type: rule.type,
    description: rule.description || null,
    passed,
    actual_value: null,
    expected_value: null,
    error_message: passed ? null : rule.message || null,
    checked_at: checkedAt,
    confidence: 1,
    failure_reason: passed ? null : rule.message || null,
    failure_category: passed ? null : 'validation',
    suggested_fix: null,
  };
}

function errorType(error: ErrorRecord, finalFailure: boolean): OriginalErrorRecord['error_type'] {
  if (error.category === 'rate_limit') return 'rate_limit';
  return finalFailure ? 'permanent' : 'transient';
}

/** Whether the sheet's validations passed: false if one failed, true when done or all ran and passed, else null. */
function validationPassed(sheet: SheetState, rules: RuleRecord[]): boolean | null {
  if (rules.some((r) => r.status === 'failed')) return false;
  if (sheet.status === 'completed') return true;
  return rules.length > 0 ? true : null;
}

function outcomeCategory(sheet: SheetState): string | null {
  if (sheet.status === 'completed') {
    if (sheet.attempts <= 1) return 'success_first_try';
    return sheet.completionAttempts > 0 ? 'success_completion' : 'success_retry';
  }
  if (sheet.status === 'failed') return sheet.lastError?.category === 'fatal' || sheet.lastError?.category === 'auth' || sheet.lastError?.category === 'configuration' ? 'failed_fatal' : 'failed_exhausted';
  return null;
}

/** The sheet's message: a failure's (or the error a retry is waiting on), a skip's reason, none once done. */
function sheetMessage(sheet: SheetState): string | null {
  if (sheet.status === 'skipped') return sheet.skipReason ?? null;
  if (sheet.status === 'completed') return null;
  return sheet.lastError?.message ?? null;
}

/** One sheet in the original's SheetState shape. */
export function originalSheet(num: number, sheet: SheetState): Record<string, unknown> {
  const rules = ranRules(sheet);
  const checkedAt = sheet.finishedAt ?? sheet.startedAt ?? null;
  const stdout = tailBytes(sheet.stdoutTail);
  const stderr = tailBytes(sheet.stderrTail);
  const passed = rules.filter((r) => r.status === 'passed').map((r) => r.description || r.type);
  const failed = rules.filter((r) => r.status === 'failed').map((r) => r.description || r.type);
  const finished = sheet.status === 'completed' || sheet.status === 'failed' || sheet.status === 'skipped';
  const lastIndex = sheet.errors.length - 1;
  return {
    sheet_num: num,
    status: sheet.status,
    started_at: sheet.startedAt ?? null,
    completed_at: finished ? (sheet.finishedAt ?? null) : null,
    attempt_count: sheet.attempts,
    exit_code: sheet.exitCode ?? null,
    error_message: sheetMessage(sheet),
    error_category: sheet.status === 'completed' ? null : (sheet.lastError?.category ?? null),
    validation_passed: validationPassed(sheet, rules),
    validation_details: rules.length > 0 ? rules.map((r) => validationDetail(r, checkedAt)) : null,
    execution_duration_seconds: sheet.durationMs === undefined ? null : sheet.durationMs / 1000,
    completion_attempts: sheet.completionAttempts,
    passed_validations: passed,
    failed_validations: failed,
    last_pass_percentage: rules.length > 0 ? (passed.length / rules.length) * 100 : null,
    first_attempt_success: sheet.status === 'completed' && sheet.attempts <= 1,
    outcome_category: outcomeCategory(sheet),
    stdout_tail: stdout.text,
    stderr_tail: stderr.text,
    output_truncated: stdout.truncated || stderr.truncated,
    error_history: sheet.errors.map((e, i): OriginalErrorRecord => ({
      timestamp: e.at,
      error_type: errorType(e, sheet.status === 'failed' && i === lastIndex),
      error_code: e.code,
      error_message: e.message,
      attempt_number: Math.max(1, e.attempt),
      context: { category: e.category },
    })),
    input_tokens: sheet.inputTokens,
    output_tokens: sheet.outputTokens,
    estimated_cost: sheet.costUsd,
  };
}

/** What the view knows beyond the checkpoint: when this run started, and whether a conductor runs it now. */
export interface ViewContext {
  startedAt: string | null;
  /** The conductor's pid while the job runs (the original's zombie check reads it), else null. */
  pid: number | null;
  parallel?: { enabled: boolean; maxConcurrent: number };
}

/** What one sheet adds to the job's totals. */
export interface SheetCounts {
  retries: number;
  rateLimitWaits: number;
  quotaWaits: number;
  inputTokens: number;
  outputTokens: number;
}

export const sheetCounts = (sheet: SheetState): SheetCounts => ({
  retries: Math.max(0, sheet.attempts - 1),
  rateLimitWaits: sheet.rateLimitWaits,
  quotaWaits: sheet.quotaWaits,
  inputTokens: sheet.inputTokens,
  outputTokens: sheet.outputTokens,
});

/** The job's totals over its sheets, as the job-level fields need them. */
export interface SheetTotals extends SheetCounts {
  lastCompleted: number;
  /** Sheets running now, ascending. */
  inProgress: number[];
}

/** The totals in one pass over the sheets (a writer that keeps them as sheets change need not). */
export function sumSheets(state: JobState): SheetTotals {
  const totals: SheetTotals = { lastCompleted: 0, inProgress: [], retries: 0, rateLimitWaits: 0, quotaWaits: 0, inputTokens: 0, outputTokens: 0 };
  for (const key in state.sheets) {
    const sheet = state.sheets[key] as SheetState;
    const num = Number(key);
    if (sheet.status === 'completed' && num > totals.lastCompleted) totals.lastCompleted = num;
    if (sheet.status === 'in_progress') totals.inProgress.push(num);
    const counts = sheetCounts(sheet);
    for (const k of COUNT_KEYS) totals[k] += counts[k];
  }
  totals.inProgress.sort((a, b) => a - b);
  return totals;
}

export const COUNT_KEYS = ['retries', 'rateLimitWaits', 'quotaWaits', 'inputTokens', 'outputTokens'] as const;

/** The job-level fields, in the original's CheckpointState shape, without `sheets` (the writer adds it). */
export function originalJobFields(state: JobState, context: ViewContext, totals: SheetTotals): Record<string, unknown> {
  const running = state.status === 'running';
  return {
    job_id: state.jobId,
    job_name: state.name,
    config_hash: null,
    config_path: state.scoreFile,
    created_at: state.createdAt,
    updated_at: state.updatedAt,
    started_at: context.startedAt,
    completed_at: state.finishedAt ?? null,
    total_sheets: state.totalSheets,
    last_completed_sheet: totals.lastCompleted,
    current_sheet: totals.inProgress[0] ?? null,
    status: state.status,
    pid: running ? context.pid : null,
    error_message: state.error ? `${state.error.code}: ${state.error.message}` : null,
    total_retry_count: totals.retries,
    rate_limit_waits: totals.rateLimitWaits,
    quota_waits: totals.quotaWaits,
    total_input_tokens: totals.inputTokens,
    total_output_tokens: totals.outputTokens,
    total_estimated_cost: state.costUsd,
    cost_limit_reached: state.error?.code === 'E701',
    worktree_path: state.worktree?.path ?? null,
    worktree_branch: state.worktree?.branch ?? null,
    isolation_mode: state.worktree ? 'worktree' : null,
    parallel_enabled: context.parallel?.enabled ?? false,
    parallel_max_concurrent: context.parallel?.maxConcurrent ?? 1,
    sheets_in_progress: totals.inProgress,
  };
}
