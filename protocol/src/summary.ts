// The `job.list` line for a job's state, derived in one place: the conductor answers with it and
// the extension recomputes it from states it keeps current with events.
import type { JobState } from './job-state.js';
import type { JobSummary } from './methods.js';

/** The list view of a job's state. */
export function summariseJob(state: JobState): JobSummary {
  let completed = 0;
  let failed = 0;
  for (const sheet of Object.values(state.sheets)) {
    if (sheet.status === 'completed' || sheet.status === 'skipped') completed++;
    else if (sheet.status === 'failed') failed++;
  }
  return summaryWith(state, completed, failed, state.costUsd);
}

/** The list view of a job's state from sheet counts already known (the extension keeps them per record). */
export function summaryWith(state: JobState, completedSheets: number, failedSheets: number, costUsd: number): JobSummary {
  return {
    jobId: state.jobId,
    name: state.name,
    status: state.status,
    scoreFile: state.scoreFile,
    workspace: state.workspace,
    totalSheets: state.totalSheets,
    completedSheets,
    failedSheets,
    costUsd,
    updatedAt: state.updatedAt,
    ...(state.error ? { error: state.error } : {}),
  };
}
