// Where the job manager's runs go and where they come from. A single conductor has no source: a
// run starts here at once (or is refused when the conductor is full). In a cluster the source is
// the shared queue (cluster/job-source.ts): a run is enqueued, any member with room takes it and
// hands it to its own job manager (JobManager.runTaken), and questions about jobs that run
// elsewhere are routed to the member that runs them.
import type { JobSummary } from '../../../protocol/src/methods.js';

/** A score's priority when it names none (1 is the most urgent, 10 the least). */
export const DEFAULT_PRIORITY = 5;

/** A run whose checkpoint is ready, waiting to be taken by some member. */
export interface RunTicket {
  jobId: string;
  scoreFile: string;
  workspace: string;
  /** 1 (most urgent) … 10. */
  priority: number;
  submitter: string;
  selfHealing?: { autoConfirm: boolean };
}

/** Where a job that does not run in this conductor stands. */
export type Whereabouts = { state: 'queued' } | { state: 'running'; member: string } | { state: 'idle' };

export interface JobSource {
  /** This conductor's name in the cluster. */
  readonly memberId: string;
  /** Hands a prepared run to the cluster. */
  dispatch(ticket: RunTicket): Promise<void>;
  locate(jobId: string): Promise<Whereabouts>;
  /** Takes a run out of the queue before any member took it; false when it was not queued. */
  withdraw(jobId: string): Promise<boolean>;
  /** Asks the member running a job to pause or cancel it; resolves with that member's summary of it. */
  ask(member: string, op: 'pause' | 'cancel', jobId: string): Promise<JobSummary>;
  /** Job id → member, for every job running in the cluster now. */
  owners(): Promise<Record<string, string>>;
  /** The latest summaries members published, for jobs whose workspace this member cannot read. */
  summaries(): Promise<Record<string, JobSummary>>;
  /** Publishes the summary of a job this member runs. */
  publishSummary(summary: JobSummary): void;
}
