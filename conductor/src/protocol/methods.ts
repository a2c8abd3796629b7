// The conductor's methods and their parameter and result types, shared by the CLI and the extension.
import type { RunnerEvent } from '../runner/events.js';
import type { JobState, JobStatus } from '../state/job-state.js';

/** One line of `mozart list`. */
export interface JobSummary {
  jobId: string;
  name: string;
  status: JobStatus;
  scoreFile: string;
  workspace: string;
  totalSheets: number;
  completedSheets: number;
  failedSheets: number;
  costUsd: number;
  updatedAt: string;
  error?: { code: string; message: string };
}

export interface ConductorStatus {
  pid: number;
  version: string;
  uptimeSeconds: number;
  socket: string;
  rssBytes: number;
  jobs: { total: number; running: number };
}

/** Method name → [params, result]. */
export interface Methods {
  'daemon.status': [Record<string, never>, ConductorStatus];
  'daemon.shutdown': [Record<string, never>, { stopping: true }];
  'job.submit': [{ scoreFile: string; fresh?: boolean }, JobSummary];
  'job.status': [{ jobId: string }, JobState];
  'job.list': [{ all?: boolean }, JobSummary[]];
  'job.pause': [{ jobId: string }, JobSummary];
  'job.resume': [{ jobId: string }, JobSummary];
  'job.cancel': [{ jobId: string }, JobSummary];
  'events.subscribe': [{ jobId?: string }, { subscribed: true }];
}

export type MethodName = keyof Methods;

/** The notification carrying a runner event to subscribers. */
export const EVENT_NOTIFICATION = 'event';
export type EventNotification = RunnerEvent;
