// What the job manager does about jobs that are not running in this conductor but may be queued
// or running on another member of its cluster: refuse to start them twice, pause or cancel them
// where they are, and say in `list` which member runs what.
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { JobStatus } from '../../../protocol/src/job-state.js';
import type { JobSource } from './job-source.js';

/** A refusal the client shows as is (the job manager's JobError takes it over). */
export type Refuse = (message: string) => Error;

/** Throws when the job is queued or running somewhere in the cluster. */
export async function refuseIfBusyElsewhere(source: JobSource, jobId: string, refuse: Refuse): Promise<void> {
  const where = await source.locate(jobId);
  if (where.state === 'running') throw refuse(`Job '${jobId}' is already running on member ${where.member}. Use 'mozart status ${jobId}'.`);
  if (where.state === 'queued') throw refuse(`Job '${jobId}' is already queued in the cluster. Use 'mozart status ${jobId}'.`);
}

/**
 * Pauses or cancels a job this conductor does not run: asks the member that runs it, or takes it
 * out of the queue and records the new status itself (`record`), or refuses when it runs nowhere.
 */
export async function stopElsewhere(source: JobSource, jobId: string, op: 'pause' | 'cancel', record: (status: JobStatus) => JobSummary, notRunning: () => Error): Promise<JobSummary> {
  // Twice at most: a queued run may be taken by a member between looking and withdrawing it.
  for (let tries = 0; tries < 2; tries++) {
    const where = await source.locate(jobId);
    if (where.state === 'running') return source.ask(where.member, op, jobId);
    if (where.state === 'idle') throw notRunning();
    if (await source.withdraw(jobId)) return record(op === 'pause' ? 'paused' : 'cancelled');
  }
  throw notRunning();
}

/** Adds the member running each job to its summary; summaries others published stand in for unreadable workspaces. */
export function withMembers(summaries: JobSummary[], owners: Record<string, string>): JobSummary[] {
  return summaries.map((s) => (owners[s.jobId] ? { ...s, member: owners[s.jobId] } : s));
}
