// `job.approve`: ends a proactive checkpoint's wait on a running job — the sheet goes on, or
// (skip) is skipped — with a refusal that says what to do when there is nothing to approve.
import type { ApprovalResult } from '../../../protocol/src/methods.js';
import type { JobStatus } from '../../../protocol/src/job-state.js';
import type { JobRunner } from '../runner/job-runner.js';
import { JobError } from './manager-parts.js';

export function approveSheet(
  jobId: string,
  runner: Pick<JobRunner, 'awaitingApproval' | 'approve'> | undefined,
  ask: { sheet: number | undefined; skip: boolean; inCluster: boolean; status: () => JobStatus },
): ApprovalResult {
  if (!runner) {
    const where = ask.inCluster ? ' on this conductor; approve it on the member that runs it (mozart conductor-status shows which)' : '';
    throw new JobError(`Job '${jobId}' is not running${where} (${ask.status()}). A sheet waiting for approval asks again when the job resumes ('mozart resume ${jobId}').`);
  }
  const waiting = runner.awaitingApproval();
  if (waiting.length === 0) throw new JobError(`No sheet of job '${jobId}' is waiting for approval.`);
  if (ask.sheet === undefined && waiting.length > 1) throw new JobError(`Sheets ${waiting.join(', ')} of job '${jobId}' are waiting for approval; name one with --sheet.`);
  const num = ask.sheet ?? (waiting[0] as number);
  const decision = ask.skip ? 'skip' : 'proceed';
  if (!runner.approve(num, decision)) throw new JobError(`Sheet ${num} of job '${jobId}' is not waiting for approval (waiting: ${waiting.join(', ')}).`);
  return { jobId, sheet: num, decision };
}
