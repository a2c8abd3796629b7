// Job states and summaries for view-model tests, built like the conductor builds them.
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { newSheet } from '../../../protocol/src/job-state.js';
import type { JobState, SheetState } from '../../../protocol/src/job-state.js';

export const T0 = Date.parse('2025-01-01T12:00:00.000Z');

export function sheet(patch: Partial<SheetState> = {}): SheetState {
  return { ...newSheet(), ...patch };
}

export function jobState(patch: Partial<JobState> = {}, sheets: Record<number, Partial<SheetState>> = {}): JobState {
  const total = patch.totalSheets ?? Math.max(3, ...Object.keys(sheets).map(Number));
  const all: Record<string, SheetState> = {};
  for (let n = 1; n <= total; n++) all[String(n)] = sheet(sheets[n] ?? {});
  return {
    version: 1,
    jobId: 'review',
    name: 'review',
    scoreFile: '/scores/review.yaml',
    workspace: '/work/review-ws',
    status: 'running',
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    totalSheets: total,
    sheets: all,
    costUsd: 0,
    ...patch,
  };
}

export function summary(patch: Partial<JobSummary> = {}): JobSummary {
  return {
    jobId: 'review',
    name: 'review',
    status: 'running',
    scoreFile: '/scores/review.yaml',
    workspace: '/work/review-ws',
    totalSheets: 3,
    completedSheets: 0,
    failedSheets: 0,
    costUsd: 0,
    updatedAt: new Date(T0).toISOString(),
    ...patch,
  };
}

type Payload<E> = E extends RunnerEvent ? Omit<E, 'jobId' | 'at'> : never;

/** A runner event for job 'review' at T0 + `afterMs`. */
export function event(payload: Payload<RunnerEvent>, afterMs = 0, jobId = 'review'): RunnerEvent {
  return { ...payload, jobId, at: new Date(T0 + afterMs).toISOString() } as RunnerEvent;
}
