// The job manager's vocabulary: its limits and refusals, what a cluster hands it, and the small
// facts it reads about scores and checkpoints (file stamps, sheet labels).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { ScoreCheckResult } from '../../../score/src/engine.js';
import type { SheetPlan } from '../../../score/src/plan.js';
import type { Score } from '../../../score/src/score-types.js';
import type { JobRecord, JobState, JobStatus } from '../../../protocol/src/job-state.js';
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { ConcertLink } from '../runner/concert.js';
import type { JobRunner } from '../runner/job-runner.js';
import type { JournalStore } from '../state/journal-store.js';
import type { JobRecordEvent } from '../../../protocol/src/events.js';
import type { Clock } from '../runner/clock.js';
import type { Board } from './board.js';
import type { JobSource, RunTicket } from './job-source.js';
import type { JobRegistryStore, RegistryEntry } from './registry.js';

/** A refusal the client should show as is. */
export class JobError extends Error {}

/** How much work the conductor takes on. */
export interface ManagerLimits {
  /** Jobs running at once; more are refused until one finishes. */
  maxRunningJobs: number;
  /** New work is refused while the machine has less memory available than this. */
  minAvailableMemoryBytes: number;
}

export const DEFAULT_LIMITS: ManagerLimits = { maxRunningJobs: 8, minAvailableMemoryBytes: 256 * 1024 * 1024 };


/** How a job heals: off, on, or on with suggested remedies allowed. */
export interface HealingChoice {
  selfHealing?: boolean;
  autoConfirm?: boolean;
}

export const healingOf = (choice: HealingChoice, previous?: RegistryEntry['selfHealing']): RegistryEntry['selfHealing'] =>
  choice.selfHealing === undefined ? previous : choice.selfHealing ? { autoConfirm: choice.autoConfirm === true } : undefined;

export interface ActiveJob {
  runner: JobRunner;
  store: JournalStore<JobState, JobRecord>;
  done: Promise<JobState>;
}

/** What the job manager works with besides its registry folder; all optional (a single conductor). */
export interface ManagerParts {
  /** Rate limits and agent caps shared with other jobs: this conductor's, or the cluster's. */
  board?: Pick<Board, 'rateLimits' | 'agentSlots'>;
  /** In a cluster: the queue runs go to, and the way to jobs other members run. */
  source?: JobSource;
  /** The registry of jobs (default: files in the registry folder). */
  registry?: JobRegistryStore;
  /** Who asks for the runs this conductor enqueues (the cluster's fair share is kept between them). */
  submitter?: string;
  /** How waits pass (backoff, rate limits, cooldowns); default real time. */
  clock?: Clock;
  /** Where journal records of running jobs go, for subscribers that fold them (default: nowhere). */
  onRecord?: (event: JobRecordEvent) => void;
}

/** A run the cluster queue gave this member (see JobSource), with what keeps it safe. */
export interface TakenTicket {
  ticket: RunTicket;
  /** Throws when another member holds the job now; checked before every checkpoint write. */
  beforeWrite: () => void;
  /** Aborted when this member must stop the run at once (its queue lock was lost). */
  signal: AbortSignal;
}

/** How a taken run ended, for the queue: over, back to the queue, or lost to a newer owner. */
export type TakenOutcome = 'finished' | 'hand-back' | 'fenced';

/** A summary now (this conductor started the job) or once the cluster queued it. */
export type Launched = { jobId: string; summary: JobSummary | Promise<JobSummary> };

export type ValidScore = Omit<ScoreCheckResult, 'source'> & { score: Score; plan: SheetPlan; workspace: string };

export type SubmitOptions = { fresh?: boolean; startSheet?: number; workspace?: string; concertLink?: ConcertLink } & HealingChoice;

export const apply = (s: JobState, r: JobRecord) => applyJobRecord(s, r);
export const FINISHED: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/**
 * Which jobs `clear` forgets: the one named (refused while it runs), or every job not running whose
 * status is one of `statuses` (default: finished) or whose checkpoint cannot be read.
 */
export function clearable(
  jobIds: string[],
  options: { jobId?: string; statuses?: JobStatus[] },
  isRunning: (jobId: string) => boolean,
  statusOf: (jobId: string) => JobStatus | undefined,
): string[] {
  const statuses = options.statuses?.length ? options.statuses : FINISHED;
  const cleared: string[] = [];
  for (const jobId of jobIds) {
    if (isRunning(jobId)) {
      if (options.jobId) throw new JobError(`Job '${jobId}' is running; cancel or pause it before clearing it.`);
      continue;
    }
    const status = options.jobId ? undefined : statusOf(jobId);
    if (options.jobId || status === undefined || statuses.includes(status)) cleared.push(jobId);
  }
  return cleared;
}

/** True for the error a fence guard throws (or a save that failed because of one). */
export function isFencedOff(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === 'E804' || e?.cause?.code === 'E804';
}

/** Size and mtime of a score file ('-' when it cannot be read): changes whenever it is written. */
export function scoreStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '-';
  }
}

/** Size and mtime of a checkpoint's files: changes whenever either is written. */
export function fileStamp(dir: string): string {
  const part = (name: string) => {
    try {
      const st = statSync(join(dir, name));
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  return `${part('state.json')}|${part('journal.ndjson')}`;
}

/** sheet.descriptions, or undefined when the score labels no sheet. */
export function descriptionsOf(score: Score): Record<string, string> | undefined {
  const entries = Object.entries(score.sheet.descriptions).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
