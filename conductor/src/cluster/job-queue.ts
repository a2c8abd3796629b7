// The cluster's job queue on BullMQ: `run` or `resume` on any member enqueues a run of the job;
// every member's worker takes runs up to its --max-jobs and carries them out with the member's own
// runner. BullMQ's lock says a run is being worked on; when a member dies its lock expires, BullMQ's
// stalled check puts the run back in the queue, and another member takes it over (the checkpoint on
// the shared storage says where to go on; the fence keeps the old owner from writing).
import { DelayedError, Queue, WaitingError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ClusterError, FencedOffError } from './errors.js';
import { acquireFence } from './fence.js';
import type { FenceGuard } from './fence.js';
import type { ClusterKeys } from './keys.js';
import { queueOrder } from './scheduler.js';

const QUEUE_NAME = 'jobs';

/** One run of a job, as it waits in the queue. */
export interface RunRequest {
  jobId: string;
  scoreFile: string;
  workspace: string;
  /** Who asked for it: the fair share is kept between submitters. */
  submitter: string;
  /** 1 (most urgent) … 10; 5 by default. */
  priority: number;
  /** The member it was enqueued on. */
  from: string;
  /** Epoch ms. */
  enqueuedAt: number;
  selfHealing?: { autoConfirm: boolean };
}

interface QueuedData extends RunRequest {
  /** Members that could not run it (could not see its score or workspace). */
  leftBy?: string[];
}

/** How a member's run of a job ended, as far as the queue cares. */
export type RunResult =
  /** The run is over (completed, failed, paused or cancelled): the job leaves the queue. */
  | { kind: 'finished' }
  /** This member stops running it but the job is not done: back to the queue, for any member. */
  | { kind: 'hand-back' }
  /** Another member owns the job now; this member wrote nothing more. */
  | { kind: 'fenced' };

/** A run this member took. */
export interface TakenRun {
  request: RunRequest;
  /** Checked before every checkpoint write. */
  fence: FenceGuard;
  /** Aborted when this member must stop the run at once: its queue lock was lost. */
  signal: AbortSignal;
  /** The member that ran it before and stopped without finishing (died, was cut off), if any. */
  previousOwner?: string;
}

/** What the queue asks of the member it runs in. */
export interface QueueHandlers {
  /** Why this member cannot run the job (it cannot see the score or the workspace), or undefined. */
  cannotRun(request: RunRequest): string | undefined;
  /** The checkpoint folder of a job, where its fence is recorded. */
  stateDir(request: RunRequest): string;
  /** Runs the job until it ends or this member must stop. */
  run(taken: TakenRun): Promise<RunResult>;
  /** Tells the job's watchers what the cluster did with it. */
  note(jobId: string, kind: 'taken' | 'left' | 'lock-lost', message: string): void;
  /** Lists the ids of the members alive now (for "no member can run it"). */
  liveMembers(): Promise<string[]>;
}

export interface QueueOptions {
  memberId: string;
  maxJobs: number;
  /** How long a run's lock lives without renewal: the hand-over delay after a member dies. */
  lockMs: number;
}

/** Where a job stands in the queue. */
export type QueuePlace = { state: 'queued'; request: RunRequest } | { state: 'running'; request: RunRequest; owner?: string } | { state: 'absent' };

/** BullMQ job ids may not contain ':' nor look like integers; score names may. */
export const queueId = (jobId: string): string => `job-${encodeURIComponent(jobId).replaceAll(':', '%3A')}`;

// Decrements a submitter's outstanding count, never below zero.
const RELEASE_SHARE = `
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n <= 1 then redis.call('HDEL', KEYS[1], ARGV[1]) return 0 end
return redis.call('HINCRBY', KEYS[1], ARGV[1], -1)`;

// Forgets a job's owner only if it is still this member (a newer owner keeps its entry).
const RELEASE_OWNER = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0`;

export class ClusterJobQueue {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  /** This member's runs: queue id → what aborts it. */
  private readonly runs = new Map<string, AbortController>();
  /** Called when this member starts or ends a run (the heartbeat then tells the cluster at once). */
  onRunsChanged: () => void = () => undefined;

  constructor(
    /** The worker's bookkeeping (fences, owners, shares): waits for Redis when it is away. */
    private readonly redis: Redis,
    /** Answers to users (enqueue, where is a job): fails at once while Redis is away, so nothing hangs. */
    private readonly fast: Redis,
    /** For BullMQ's worker (which duplicates it for its blocking reads). */
    private readonly bullConnection: Redis,
    private readonly keys: ClusterKeys,
    private readonly options: QueueOptions,
    private readonly onError: (error: Error) => void,
  ) {
    this.queue = new Queue(QUEUE_NAME, { connection: fast, prefix: keys.bullPrefix });
    this.queue.on('error', onError);
  }

  /** Job ids this member runs right now. */
  get runningHere(): string[] {
    return [...this.runs.keys()].map((id) => decodeURIComponent(id.slice('job-'.length)));
  }

  /** Puts a run of the job in the queue, ordered by priority then the submitter's fair share. */
  async enqueue(request: RunRequest): Promise<void> {
    const id = queueId(request.jobId);
    const outstanding = await this.fast.hincrby(this.keys.outstanding, request.submitter, 1);
    let queued: Job;
    try {
      queued = await this.queue.add('run', request satisfies QueuedData, { jobId: id, priority: queueOrder(request.priority, outstanding - 1), attempts: 1, removeOnComplete: true, removeOnFail: true });
    } catch (error) {
      await this.releaseShare(request.submitter);
      throw error;
    }
    // BullMQ hands back the job already there when the id is taken: this run was not queued.
    if ((queued.data as QueuedData).enqueuedAt !== request.enqueuedAt || (queued.data as QueuedData).from !== request.from) {
      await this.releaseShare(request.submitter);
      const state = await queued.getState();
      throw new ClusterError('E802', `Job '${request.jobId}' is already ${state === 'active' ? 'running' : 'queued'} in the cluster.`);
    }
  }

  /** Takes a queued (not running) run out of the queue; false when there was none. */
  async remove(jobId: string): Promise<boolean> {
    const job = await this.queue.getJob(queueId(jobId));
    if (!job) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false;
    try {
      await job.remove();
    } catch {
      return false; // taken by a member in between
    }
    await this.releaseShare((job.data as QueuedData).submitter);
    return true;
  }

  /** Where a job is: queued, running (and on which member), or not in the queue. */
  async place(jobId: string): Promise<QueuePlace> {
    const job = await this.queue.getJob(queueId(jobId));
    if (!job) return { state: 'absent' };
    const state = await job.getState();
    const request = job.data as QueuedData;
    if (state === 'active') {
      const owner = await this.fast.hget(this.keys.owners, jobId);
      return { state: 'running', request, ...(owner ? { owner } : {}) };
    }
    if (state === 'waiting' || state === 'prioritized' || state === 'delayed') return { state: 'queued', request };
    return { state: 'absent' };
  }

  /** Runs waiting in the queue, next first, and how many run now. */
  async overview(): Promise<{ queued: RunRequest[]; running: number }> {
    const [waiting, prioritized, delayed, running] = await Promise.all([this.queue.getWaiting(), this.queue.getPrioritized(), this.queue.getDelayed(), this.queue.getActiveCount()]);
    const byOrder = (a: Job, b: Job) => (a.priority ?? 0) - (b.priority ?? 0) || a.timestamp - b.timestamp;
    const queued = [...waiting, ...prioritized.sort(byOrder), ...delayed.sort(byOrder)].map((j) => j.data as QueuedData);
    return { queued, running };
  }

  /** Job id → member, for every job running in the cluster. */
  owners(): Promise<Record<string, string>> {
    return this.fast.hgetall(this.keys.owners);
  }

  /** Starts taking runs, up to maxJobs at once. */
  start(handlers: QueueHandlers): void {
    const { lockMs, maxJobs } = this.options;
    const worker = new Worker(QUEUE_NAME, (job, token) => this.process(job, token ?? '', handlers), {
      connection: this.bullConnection,
      prefix: this.keys.bullPrefix,
      name: this.options.memberId,
      concurrency: maxJobs,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, Math.floor(lockMs / 2)),
      // A stall is a member that died; its job is handed over however often that happens.
      maxStalledCount: 1_000_000,
      runRetryDelay: 500,
      drainDelay: 5,
    });
    worker.on('error', this.onError);
    worker.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) {
        const run = this.runs.get(id);
        if (!run) continue;
        run.abort(new ClusterError('E804', 'The queue lock of this run was lost; another member may take the job over.'));
      }
    });
    this.worker = worker;
    // Jobs other members left (they could not see them) wait delayed; a new member looks at once.
    void this.queue.promoteJobs().catch(this.onError);
  }

  /** Stops taking new runs (running ones go on). */
  async stopTaking(): Promise<void> {
    await this.worker?.pause(true);
  }

  /** Takes runs again after stopTaking(). */
  resumeTaking(): void {
    this.worker?.resume();
  }

  /** Closes the worker (waiting for its runs to end) and the queue. */
  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }

  private async process(job: Job, token: string, handlers: QueueHandlers): Promise<string> {
    const data = job.data as QueuedData;
    const { memberId } = this.options;
    const reason = handlers.cannotRun(data);
    if (reason) {
      await this.leave(job, token, data, reason, handlers);
      throw new DelayedError();
    }
    let fence: FenceGuard;
    try {
      fence = await acquireFence(this.redis, this.keys, data.jobId, memberId, handlers.stateDir(data));
    } catch (error) {
      if (error instanceof FencedOffError) return 'fenced';
      throw error;
    }
    const previousOwner = (await this.redis.hget(this.keys.owners, data.jobId)) ?? undefined;
    await this.redis.hset(this.keys.owners, data.jobId, memberId);
    const controller = new AbortController();
    this.runs.set(job.id ?? queueId(data.jobId), controller);
    this.onRunsChanged();
    const takeover = previousOwner && previousOwner !== memberId ? `, taking it over from ${previousOwner}, which stopped without finishing it` : '';
    handlers.note(data.jobId, 'taken', `Member ${memberId} runs the job (fencing token ${fence.token}${takeover}).`);
    controller.signal.addEventListener('abort', () => handlers.note(data.jobId, 'lock-lost', `Member ${memberId} lost the job's queue lock (Redis was away too long); it stops the job's agents so that no two members run it.`), { once: true });
    let result: RunResult;
    try {
      result = await handlers.run({ request: data, fence, signal: controller.signal, ...(previousOwner && previousOwner !== memberId ? { previousOwner } : {}) });
    } finally {
      this.runs.delete(job.id ?? queueId(data.jobId));
      this.onRunsChanged();
      await this.redis.eval(RELEASE_OWNER, 1, this.keys.owners, data.jobId, memberId);
    }
    if (result.kind === 'hand-back' && !controller.signal.aborted) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (result.kind === 'finished') await this.releaseShare(data.submitter);
    return result.kind;
  }

  /** Leaves a job this member cannot run for another, saying why; waits longer when no one can. */
  private async leave(job: Job, token: string, data: QueuedData, reason: string, handlers: QueueHandlers): Promise<void> {
    const { memberId } = this.options;
    const first = !(data.leftBy ?? []).includes(memberId);
    const leftBy = [...new Set([...(data.leftBy ?? []), memberId])];
    await job.updateData({ ...data, leftBy });
    const live = await handlers.liveMembers();
    const nobody = live.every((id) => leftBy.includes(id));
    // Said once per member: the job may come by again while the members that can run it are busy.
    if (first) handlers.note(data.jobId, 'left', `E803 Member ${memberId} cannot run this job: ${reason} It is left for another member.${nobody ? ' No member alive now can run it: it waits in the queue until one that sees the score and workspace joins (or cancel it).' : ''}`);
    // Members that can run it take it meanwhile; one that cannot looks again later, not at once.
    await job.moveToDelayed(Date.now() + (nobody ? 5000 : 200 * leftBy.length), token);
  }

  private async releaseShare(submitter: string): Promise<void> {
    await this.redis.eval(RELEASE_SHARE, 1, this.keys.outstanding, submitter);
  }
}
