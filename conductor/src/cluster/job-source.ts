// The cluster as the job manager's job source: runs go to the shared queue, questions about jobs
// running elsewhere go to their members as control messages, and summaries of running jobs are
// kept in Redis for members that cannot read a job's workspace.
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { JobSource, RunTicket, Whereabouts } from '../daemon/job-source.js';
import { ClusterError } from './errors.js';
import type { ClusterMember } from './member.js';

/** Turns a failed call to Redis into the error a user reads (E802), keeping the cluster's own errors. */
function unreachable(member: ClusterMember, what: string): (error: Error) => never {
  return (error) => {
    if (error instanceof ClusterError) throw error;
    throw new ClusterError('E802', `The cluster's Redis at ${member.options.target.display} does not answer (${error.message}), so ${what}. Running jobs go on; try again when Redis is back.`);
  };
}

export class ClusterJobSource implements JobSource {
  constructor(private readonly member: ClusterMember) {}

  get memberId(): string {
    return this.member.id;
  }

  async dispatch(ticket: RunTicket): Promise<void> {
    try {
      await this.member.queue.enqueue({ ...ticket, from: this.member.id, enqueuedAt: Date.now() });
    } catch (error) {
      if (error instanceof ClusterError) throw error;
      throw new ClusterError('E802', `Cannot queue job '${ticket.jobId}' in the cluster: ${(error as Error).message}. Its checkpoint is kept; 'mozart resume ${ticket.jobId}' queues it once Redis answers.`);
    }
  }

  async locate(jobId: string): Promise<Whereabouts> {
    const place = await this.member.queue.place(jobId).catch(unreachable(this.member, `where job '${jobId}' runs is not known and nothing was changed`));
    if (place.state === 'queued') return { state: 'queued' };
    if (place.state === 'running') return { state: 'running', member: place.owner ?? 'a member' };
    return { state: 'idle' };
  }

  withdraw(jobId: string): Promise<boolean> {
    return this.member.queue.remove(jobId).catch(unreachable(this.member, `job '${jobId}' stays queued`));
  }

  async ask(member: string, op: 'pause' | 'cancel', jobId: string): Promise<JobSummary> {
    const answer = await this.member.control.send(member, op, jobId).catch(unreachable(this.member, `member ${member} was not asked to ${op} job '${jobId}'`));
    if (!answer.ok) throw new ClusterError('E805', answer.message);
    return answer.result as JobSummary;
  }

  owners(): Promise<Record<string, string>> {
    return this.member.queue.owners().catch(unreachable(this.member, 'which member runs what is not known'));
  }

  async summaries(): Promise<Record<string, JobSummary>> {
    const all = await this.member.redis.hgetall(this.member.keys.summaries);
    const out: Record<string, JobSummary> = {};
    for (const [id, json] of Object.entries(all)) {
      try {
        out[id] = JSON.parse(json) as JobSummary;
      } catch {
        /* skip what cannot be read */
      }
    }
    return out;
  }

  publishSummary(summary: JobSummary): void {
    void this.member.redis.hset(this.member.keys.summaries, summary.jobId, JSON.stringify(summary)).catch(() => undefined);
  }
}
