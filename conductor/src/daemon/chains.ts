// Starting the next job of a concert. A detached run_job hook (the usual self-chaining case) is
// only checked while its job runs; the next job starts after that job has ended — it may be the
// same job id, which cannot run twice at once — and after the concert's cooldown. Until then it is
// pending: status shows it as the job's "next", and cancelling the job cancels it.
import type { RunnerEvent } from '../../../protocol/src/events.js';
import type { JobState, JobStatus } from '../../../protocol/src/job-state.js';
import type { ConcertLink } from '../runner/concert.js';
import type { ChainRequest, SubmitJob } from '../runner/hooks.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../runner/clock.js';
import type { Clock } from '../runner/clock.js';

/** What the chain starter needs from the job manager. */
export interface ChainHost {
  /** The job id a score would run as; rejects (with the findings) when the score is not valid. */
  jobIdOf(scoreFile: string): Promise<string>;
  /** Checks the score (off the event loop when it is big) and starts it; rejects when it cannot. */
  submit(scoreFile: string, options: { fresh: boolean; workspace?: string; concertLink: ConcertLink }): Promise<{ jobId: string }>;
  /** Resolves with the job's final state, if it is running. */
  whenDone(jobId: string): Promise<JobState> | undefined;
  emit(event: RunnerEvent): void;
}

/** A next job waiting for its parent to end and the cooldown to pass. */
export interface PendingStart {
  request: ChainRequest;
  jobId: string;
  /** Epoch ms the next job is due (set once the parent has ended). */
  startsAt?: number;
}

export class ChainStarter {
  private readonly pending = new Map<string, PendingStart>();
  private readonly cooldowns = new Map<string, AbortController>();

  constructor(
    private readonly host: ChainHost,
    /** How the cooldown between a concert's jobs passes. */
    private readonly clock: Clock = systemClock,
  ) {}

  /** The `submitJob` a job's runner gets: run_job hooks of `parentId` come through here. */
  submitterFor(parentId: string): SubmitJob {
    return async (request) => {
      let childId: string;
      try {
        childId = await this.host.jobIdOf(request.scoreFile);
      } catch (error) {
        return { ok: false, message: `Cannot start ${request.scoreFile}: ${(error as Error).message}` };
      }
      if (request.detached) {
        this.pending.set(parentId, { request, jobId: childId });
        const when = request.cooldownMs > 0 ? `${request.cooldownMs / 1000}s after '${parentId}' ends` : `when '${parentId}' ends`;
        return { ok: true, message: `'${childId}' (${request.scoreFile}) starts ${when}, as concert depth ${request.link.depth}.`, jobId: childId };
      }
      if (childId === parentId) return { ok: false, message: `'${parentId}' cannot wait for itself: a run_job hook that starts its own score needs detached: true.` };
      return this.startAndWait(parentId, childId, request);
    };
  }

  /** The job has ended: start what its hooks scheduled (after the cooldown), if it completed. */
  parentEnded(parentId: string, status: JobStatus): void {
    const next = this.pending.get(parentId);
    if (!next) return;
    if (status !== 'completed') {
      this.pending.delete(parentId);
      return;
    }
    next.startsAt = this.clock.dueAt(next.request.cooldownMs);
    const abort = new AbortController();
    this.cooldowns.set(parentId, abort);
    void this.clock.wait(next.request.cooldownMs, abort.signal).then(() => {
      if (abort.signal.aborted) return; // cancelled during the cooldown
      this.pending.delete(parentId);
      this.cooldowns.delete(parentId);
      this.startNow(parentId, next);
    });
  }

  /** What `jobId` will start next, if anything is scheduled. */
  nextOf(jobId: string): PendingStart | undefined {
    return this.pending.get(jobId);
  }

  /** Cancels the next job `jobId` scheduled; true when there was one. */
  cancelNext(jobId: string): boolean {
    const had = this.pending.delete(jobId);
    this.cooldowns.get(jobId)?.abort();
    this.cooldowns.delete(jobId);
    return had;
  }

  /** The conductor is stopping: cooldowns end, their jobs do not start. */
  close(): void {
    for (const abort of this.cooldowns.values()) abort.abort();
    this.cooldowns.clear();
  }

  private startNow(parentId: string, next: PendingStart): void {
    const { request } = next;
    this.host.submit(request.scoreFile, { fresh: request.fresh, ...(request.workspace ? { workspace: request.workspace } : {}), concertLink: request.link }).catch((error: Error) => {
      this.host.emit({ type: 'job.hook', jobId: parentId, at: new Date().toISOString(), index: -1, ok: false, message: `The concert's next job '${next.jobId}' could not start: ${error.message}` });
    });
  }

  private async startAndWait(parentId: string, childId: string, request: ChainRequest): Promise<{ ok: boolean; message: string; jobId?: string }> {
    if (request.cooldownMs > 0) await this.clock.wait(request.cooldownMs);
    try {
      await this.host.submit(request.scoreFile, { fresh: request.fresh, ...(request.workspace ? { workspace: request.workspace } : {}), concertLink: request.link });
    } catch (error) {
      return { ok: false, message: `Cannot start '${childId}': ${(error as Error).message}` };
    }
    const done = this.host.whenDone(childId);
    if (!done) return { ok: true, message: `'${childId}' started.`, jobId: childId };
    const timeout = new AbortController();
    const outcome = await Promise.race([done.then((s) => s.status), sleep(request.timeoutMs, 'timeout' as const, { signal: timeout.signal }).catch(() => 'timeout' as const)]);
    timeout.abort();
    if (outcome === 'timeout') return { ok: false, message: `'${childId}' is still running after ${request.timeoutMs / 1000}s (the hook's timeout_seconds); it goes on without '${parentId}' waiting.`, jobId: childId };
    return { ok: outcome === 'completed', message: `'${childId}' ${outcome}.`, jobId: childId };
  }
}
