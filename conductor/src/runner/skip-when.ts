// sheet.skip_when at run time: the checkpoint seen through the fields a condition may read (the
// original's names), and the decision for one sheet. A condition that cannot be evaluated skips its
// sheet, as the original does ("fail closed"), and the reason says why in words.
import type { JobState, SheetState } from '../../../protocol/src/job-state.js';
import { parseExpression, SheetsMap } from '../../../score/src/expression.js';
import { evaluateExpression, ExprError } from '../../../score/src/expression-eval.js';
import type { ExprScope, JobView, SheetView } from '../../../score/src/expression.js';

/** One sheet as a condition sees it. */
export function sheetView(sheet: SheetState): SheetView {
  const results = sheet.validations ?? [];
  const ran = results.filter((r) => r.status === 'passed' || r.status === 'failed');
  const validationPassed = ran.length === 0 ? (sheet.status === 'completed' ? true : null) : ran.every((r) => r.status === 'passed');
  return {
    status: sheet.status,
    validation_passed: validationPassed,
    attempt_count: sheet.attempts,
    retries: sheet.retries,
    completion_attempts: sheet.completionAttempts,
    exit_code: sheet.exitCode ?? null,
    error_code: sheet.lastError?.code ?? null,
    error_category: sheet.lastError?.category ?? null,
    error_message: sheet.lastError?.message ?? null,
    passed_validations: results.filter((r) => r.status === 'passed').map((r) => r.description),
    failed_validations: results.filter((r) => r.status === 'failed').map((r) => r.description),
    cost_usd: sheet.costUsd,
    skipped: sheet.status === 'skipped',
  };
}

/** The checkpoint as a condition sees it. */
export function checkpointScope(state: JobState): ExprScope {
  const sheets = new Map<number, ReturnType<typeof sheetView>>();
  let lastCompleted = 0;
  let completed = 0;
  let failed = 0;
  let retries = 0;
  for (const [key, sheet] of Object.entries(state.sheets)) {
    const num = Number(key);
    sheets.set(num, sheetView(sheet));
    if (sheet.status === 'completed') {
      completed++;
      lastCompleted = Math.max(lastCompleted, num);
    }
    if (sheet.status === 'failed') failed++;
    retries += sheet.retries;
  }
  const job: JobView = {
    job_id: state.jobId,
    job_name: state.name,
    status: state.status,
    total_sheets: state.totalSheets,
    last_completed_sheet: lastCompleted,
    completed_sheets: completed,
    failed_sheets: failed,
    total_retry_count: retries,
    total_estimated_cost: state.costUsd,
  };
  return { sheets: new SheetsMap(sheets), job };
}

/** Why a sheet is skipped by its skip_when, or undefined when it runs. */
export function skipWhenReason(condition: string | undefined, state: JobState): string | undefined {
  if (condition === undefined) return undefined;
  const parsed = parseExpression(condition);
  if (!parsed.expression) return `skip_when could not be read (${parsed.problem?.message ?? 'syntax error'}), so the sheet is skipped: ${condition}`;
  try {
    return evaluateExpression(parsed.expression, checkpointScope(state)) ? `skip_when is true: ${condition}` : undefined;
  } catch (error) {
    if (!(error instanceof ExprError)) throw error;
    return `skip_when could not be evaluated (${error.message}), so the sheet is skipped: ${condition}`;
  }
}
