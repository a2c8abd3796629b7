// Events a running job emits. The conductor forwards them to subscribers; the runner also appends
// them to the workspace's event log (.mozart/events.ndjson).
import type { JobRecord, RuleRecord } from './job-state.js';

/** One remedy's outcome in a healing pass. */
export interface HealingNote {
  name: string;
  message: string;
}

interface Base {
  jobId: string;
  at: string;
  /** In a cluster: the member whose runner sent it. */
  member?: string;
}

export type RunnerEvent =
  | (Base & { type: 'job.started' | 'job.completed' | 'job.paused' | 'job.cancelled'; message?: string })
  /** A pause was asked for: nothing new starts; the job is paused once running sheets finish. */
  | (Base & { type: 'job.pausing'; message?: string })
  | (Base & { type: 'job.failed'; code: string; message: string })
  | (Base & { type: 'job.cost_update'; costUsd: number })
  /** Spending crossed cost_limits.warn_at_percent of a limit (of the job, or of one sheet's). */
  | (Base & { type: 'job.cost_warning'; costUsd: number; limitUsd: number; percent: number; sheet?: number; message: string })
  | (Base & { type: 'job.circuit_open'; failures: number; untilMs: number })
  | (Base & { type: 'job.hook'; index: number; ok: boolean; message: string })
  /** In a cluster: the job was queued, taken by a member, left by one that cannot see it, or handed back. */
  | (Base & { type: 'job.cluster'; action: 'queued' | 'taken' | 'left' | 'lock-lost' | 'handed-back'; message: string })
  /** `--fresh` moved the previous run's files into an archive folder (workspace_lifecycle). */
  | (Base & { type: 'job.archived'; message: string })
  /** `job.clear` (mozart clear) forgot the job: it is no longer listed (its workspace stays on disk). */
  | (Base & { type: 'job.cleared'; message: string })
  /** Loading the checkpoint had to repair it (a torn tail cut off, a lost snapshot rebuilt): what was done. */
  | (Base & { type: 'job.state_repaired'; message: string })
  /** A notification channel could not deliver (the target shows only scheme and host). */
  /** A desktop notification of the score's `notifications`, for an editor window to show. */
  | (Base & { type: 'job.notice'; title: string; message: string; level: 'info' | 'warning' | 'error' })
  | (Base & { type: 'job.notification_failed'; channel: string; target: string; event: string; message: string })
  | (Base & { type: 'sheet.started'; sheet: number; attempt: number; mode: 'normal' | 'completion' })
  | (Base & { type: 'sheet.output'; sheet: number; stream: 'stdout' | 'stderr'; text: string })
  | (Base & { type: 'sheet.validation_passed' | 'sheet.validation_failed'; sheet: number; rule: RuleRecord })
  | (Base & { type: 'sheet.retrying'; sheet: number; attempt: number; delayMs: number; code: string; reason: string })
  | (Base & { type: 'sheet.completion'; sheet: number; delayMs: number; reason: string })
  | (Base & { type: 'sheet.waiting'; sheet: number; wait: 'rate_limit' | 'quota'; until: number; reason: string })
  | (Base & { type: 'sheet.completed'; sheet: number; attempts: number; durationMs: number; costUsd: number })
  | (Base & { type: 'sheet.skipped'; sheet: number; reason: string })
  /** A proactive checkpoint stops the sheet until a person approves or skips it (mozart approve). */
  | (Base & { type: 'sheet.approval_needed'; sheet: number; attempt: number; trigger: string; message: string })
  | (Base & { type: 'sheet.approved'; sheet: number; decision: 'proceed' | 'skip' })
  /** A warning-only checkpoint matched: the sheet goes on. */
  | (Base & { type: 'sheet.checkpoint_warning'; sheet: number; trigger: string; message: string })
  /** A self-healing pass on a sheet about to fail: what it fixed, what it left for --yes or a person. */
  | (Base & { type: 'sheet.healing'; sheet: number; code: string; applied: HealingNote[]; skipped: HealingNote[]; diagnostics: HealingNote[] })
  | (Base & { type: 'sheet.failed'; sheet: number; code: string; message: string });

/**
 * A change to a job's state, exactly as the conductor journals it: subscribers fold it into the
 * state `job.status` gave them with applyJobRecord (job-state.ts), the function the conductor's
 * own checkpoint uses. Not written to the event log, and not shown as a line.
 */
export interface JobRecordEvent {
  type: 'job.record';
  jobId: string;
  at: string;
  member?: string;
  record: JobRecord;
}

/** What subscribers receive: the job's journal records, and the runner's events. */
export type JobNotification = RunnerEvent | JobRecordEvent;

/** Event type names, for subscriptions. */
export type RunnerEventType = RunnerEvent['type'];
