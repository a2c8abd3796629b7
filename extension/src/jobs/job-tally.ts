// A job's counts kept current record by record: sheets done and failed, the sheets' summed cost and
// the sheets waiting for approval. A journal record about one sheet changes the counts by what that
// sheet was before and after it, so folding an event costs the same for 3 sheets as for 10,000
// (re-summarising the whole state per record made a 10,000-sheet job's events 4× dearer than a
// 2,000-sheet job's). Only the rare records that reshape the job (init, plan) count every sheet.
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import type { JobRecord, JobState, SheetState } from '../../../protocol/src/job-state.js';
import type { JobSummary } from '../../../protocol/src/methods.js';
import { summaryWith } from '../../../protocol/src/summary.js';
import { awaitsApproval } from './sheet-items.js';

export interface JobTally {
  /** Completed or skipped, as `job.list` counts them. */
  completed: number;
  failed: number;
  sheetCostUsd: number;
  awaitingApproval: number;
}

/** Sheets read to keep tallies, over the process's life (tests check it does not grow with job size). */
export const tallyWork = { sheetsRead: 0 };

function add(tally: JobTally, sheet: SheetState | undefined, sign: 1 | -1): void {
  if (!sheet) return;
  tallyWork.sheetsRead++;
  if (sheet.status === 'completed' || sheet.status === 'skipped') tally.completed += sign;
  else if (sheet.status === 'failed') tally.failed += sign;
  tally.sheetCostUsd += sign * (sheet.costUsd || 0);
  if (awaitsApproval(sheet)) tally.awaitingApproval += sign;
}

/** Counts every sheet of a state (when it is fetched). */
export function tallyOf(state: JobState): JobTally {
  const tally: JobTally = { completed: 0, failed: 0, sheetCostUsd: 0, awaitingApproval: 0 };
  for (const sheet of Object.values(state.sheets)) add(tally, sheet, 1);
  return tally;
}

/**
 * Folds one journal record into the state with the conductor's own function (applyJobRecord) and
 * brings the tally along. Returns the state (a new one for an `init` record) and its tally.
 */
export function foldRecord(state: JobState, tally: JobTally, record: JobRecord): { state: JobState; tally: JobTally } {
  if (record.t !== 'sheet') {
    const next = applyJobRecord(state, record);
    return { state: next, tally: record.t === 'init' || record.t === 'plan' ? tallyOf(next) : tally };
  }
  const key = String(record.num);
  add(tally, state.sheets[key], -1);
  applyJobRecord(state, record);
  add(tally, state.sheets[key], 1);
  // Sums of costs drift by rounding when added and taken away; a count never does.
  if (Math.abs(tally.sheetCostUsd) < 1e-12) tally.sheetCostUsd = 0;
  return { state, tally };
}

/** The `job.list` line of a state, from its tally (the same as summariseJob, without reading the sheets). */
export function summaryOf(state: JobState, tally: JobTally): JobSummary {
  // Sheet costs applied from records may be ahead of the job's total.
  return summaryWith(state, tally.completed, tally.failed, Math.max(state.costUsd || 0, tally.sheetCostUsd));
}
