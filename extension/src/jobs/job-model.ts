// What the extension derives from a job's state: the checkpoint from `job.status`, kept current by
// folding the conductor's journal records into it with applyJobRecord (protocol/src/job-state.ts,
// the conductor's own fold; see job-store.ts). Pure functions over the protocol types.
import { summariseJob } from '../../../protocol/src/summary.js';
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { JobState, JobStatus } from '../../../protocol/src/job-state.js';

/** Statuses after which a job does nothing until someone acts. */
export function isSettled(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled' || status === 'paused';
}

/** Events after which the whole checkpoint is worth fetching again. */
export function wantsRefresh(event: RunnerEvent): boolean {
  return event.type.startsWith('job.') && event.type !== 'job.cost_update' && event.type !== 'job.hook' && event.type !== 'job.archived' && event.type !== 'job.cost_warning' && event.type !== 'job.notification_failed' && event.type !== 'job.pausing';
}

/** Sum of the sheets' costs. */
export function sheetCostSum(state: JobState): number {
  let sum = 0;
  for (const sheet of Object.values(state.sheets)) sum += sheet.costUsd || 0;
  return sum;
}

/** The `job.list` line for a state; sheet costs applied from events may be ahead of the job total. */
export function summarise(state: JobState): JobSummary {
  return { ...summariseJob(state), costUsd: Math.max(state.costUsd || 0, sheetCostSum(state)) };
}

/** A summary brought up to date by a job-level event (for jobs whose full state is not held). */
export function summaryWithEvent(summary: JobSummary, event: RunnerEvent): JobSummary {
  switch (event.type) {
    case 'job.started':
      return { ...summary, status: 'running', updatedAt: event.at, error: undefined };
    case 'job.completed':
      return { ...summary, status: 'completed', updatedAt: event.at };
    case 'job.paused':
      return { ...summary, status: 'paused', updatedAt: event.at };
    case 'job.cancelled':
      return { ...summary, status: 'cancelled', updatedAt: event.at };
    case 'job.failed':
      return { ...summary, status: 'failed', updatedAt: event.at, error: { code: event.code, message: event.message } };
    case 'job.cost_update':
      return { ...summary, costUsd: event.costUsd, updatedAt: event.at };
    default:
      return summary;
  }
}
