// The conductor's methods and their parameter and result types, shared by the CLI and the extension.
import type { RunnerEvent } from './events.js';
import type { JobState, JobStatus } from './job-state.js';

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
  /** What the conductor did besides starting the job, e.g. where --fresh archived the old files. */
  notes?: string[];
}

export interface ConductorStatus {
  pid: number;
  version: string;
  uptimeSeconds: number;
  socket: string;
  rssBytes: number;
  jobs: { total: number; running: number };
}

/** One error on one sheet, for `mozart errors` and the diagnose report. */
export interface JobErrorEntry {
  sheet: number;
  code: string;
  category: string;
  message: string;
  attempt: number;
  at: string;
  /** What to do about it (from the error code's catalogue). */
  suggestion?: string;
}

/** The diagnose report: everything needed to understand why a job is where it is. */
export interface DiagnoseReport {
  job: JobSummary;
  /** Sheets that failed or are failing, with their last error, validations and output tails. */
  failingSheets: {
    sheet: number;
    /** The sheet's label from sheet.descriptions. */
    description?: string;
    status: string;
    attempts: number;
    lastError?: JobErrorEntry;
    validations: { index: number; type: string; description: string; stage: number; status: string; message: string }[];
    stdoutTail?: string;
    stderrTail?: string;
  }[];
  /** Every error seen, oldest first. */
  errors: JobErrorEntry[];
  /** Readable next steps (e.g. "mozart resume JOB"). */
  suggestions: string[];
  /** Notifications that could not be delivered (latest first is last), with URLs reduced to their host. */
  undeliveredNotices?: UndeliveredNotice[];
  /** Files worth opening: the score, the workspace, the event log, sheet logs. */
  files: { label: string; path: string }[];
}

/** A notification the conductor could not deliver. */
export interface UndeliveredNotice {
  at: string;
  /** job_complete, sheet_failed, … (or setup, for a channel that could not be built). */
  event: string;
  channel: string;
  target: string;
  message: string;
}

/** A slice of a log: a sheet's captured output or the job's event log. */
export interface LogChunk {
  /** Absolute path of the log file (or '' when the log lives only in state). */
  path: string;
  text: string;
  /** Byte offset after `text`; pass it back as `offset` to read on. */
  nextOffset: number;
}

/** Method name → [params, result]. */
export interface Methods {
  'daemon.status': [Record<string, never>, ConductorStatus];
  'daemon.shutdown': [Record<string, never>, { stopping: true }];
  /**
   * `startSheet` > 1 records the sheets before it as skipped. `selfHealing` turns on remedies for
   * sheets about to fail; `autoConfirm` (--yes) also allows the suggested ones. Both are remembered.
   */
  'job.submit': [{ scoreFile: string; fresh?: boolean; startSheet?: number; selfHealing?: boolean; autoConfirm?: boolean }, JobSummary];
  'job.status': [{ jobId: string }, JobState];
  'job.list': [{ all?: boolean }, JobSummary[]];
  'job.pause': [{ jobId: string }, JobSummary];
  /** `scoreFile` (resume --reload-config -c FILE) replaces the job's score; it must keep its name and workspace. */
  'job.resume': [{ jobId: string; scoreFile?: string; selfHealing?: boolean; autoConfirm?: boolean }, JobSummary];
  'job.cancel': [{ jobId: string }, JobSummary];
  'job.diagnose': [{ jobId: string }, DiagnoseReport];
  'job.errors': [{ jobId: string; sheet?: number }, JobErrorEntry[]];
  /** `sheet` given: that sheet's captured agent output; otherwise the job's event log. */
  'job.logs': [{ jobId: string; sheet?: number; offset?: number; maxBytes?: number }, LogChunk];
  'job.clear': [{ jobId?: string; statuses?: JobStatus[] }, { cleared: string[] }];
  /** Re-reads the score (optionally from a new file) before resuming; only sheets not yet validated run. */
  'job.modify': [{ jobId: string; scoreFile?: string; resume?: boolean }, JobSummary];
  /** Re-checks failed sheets' validations without running the agent; `jobStatus` is the job's status afterwards. */
  'job.recover': [{ jobId: string; dryRun?: boolean }, { recovered: number[]; stillFailing: number[]; jobStatus: JobStatus }];
  'daemon.health': [Record<string, never>, { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] }];
  'events.subscribe': [{ jobId?: string }, { subscribed: true }];
}

export type MethodName = keyof Methods;

/** The notification carrying a runner event to subscribers. */
export const EVENT_NOTIFICATION = 'event';
export type EventNotification = RunnerEvent;
