// Keeps every job the conductor knows: submits (after checking the score with the engine), runs,
// pauses, resumes, modifies, recovers and cancels them, and remembers them in a registry on disk so
// a restarted conductor lists them again. What answers questions about jobs is in job-book.ts.
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ApprovalResult, JobSummary } from '../../../protocol/src/methods.js';
import { summariseJob } from '../../../protocol/src/summary.js';
import { archiveWorkspace } from '../runner/archive.js';
import { fanOutStagesOf, initialJobState } from '../runner/job-runner.js';
import type { JobRecord, JobState, JobStatus } from '../../../protocol/src/job-state.js';
import { JournalStore } from '../state/journal-store.js';
import { jobShape } from '../state/job-shape.js';
import { writeViewQuietly } from '../state/checkpoint-view.js';
import { stateDir } from '../state/workspace-files.js';
import { DEFAULT_PRIORITY } from './job-source.js';
import { writeRefusal } from './state-trouble.js';
import type { JobSource, RunTicket } from './job-source.js';
import { refuseIfBusyElsewhere, stopElsewhere } from './remote-jobs.js';
import { apply, clearable, descriptionsOf, healingOf, isFencedOff, JobError, mb, scoreStamp } from './manager-parts.js';
import type { ActiveJob, HealingChoice, Launched, SubmitOptions, TakenOutcome, TakenTicket, ValidScore } from './manager-parts.js';
import type { RegistryEntry } from './registry.js';
import { JobBook } from './job-book.js';
import type { FileCheck } from './score-checks.js';
import { recoverSheets } from './recover.js';
import { adoptJob } from './adopt.js';
import { approveSheet } from './approve-sheet.js';


export { DEFAULT_LIMITS, JobError } from './manager-parts.js';
export type { HealingChoice, ManagerLimits, ManagerParts, TakenOutcome, TakenTicket } from './manager-parts.js';

export class JobManager extends JobBook {
  /** Set while the conductor stops: a cluster member's runs go back to the queue for others. */
  private handingBack = false;
  /** Scores this member checked when it queued their runs, with the file stamp they were read at. */
  private readonly prepared = new Map<string, { stamp: string; checked: ValidScore }>();
  /**
   * Resumes jobs a previous conductor left running (it was killed or crashed): their checkpoints
   * still say running or pending. Paused jobs wait for an explicit resume. Returns the resumed ids,
   * and for each job that should have resumed but could not, why (the conductor logs it).
   */
  resumeInterrupted(): { resumed: string[]; notResumed: { jobId: string; reason: string }[] } {
    const resumed: string[] = [];
    const notResumed: { jobId: string; reason: string }[] = [];
    for (const entry of this.entries()) {
      let state: JobState | undefined;
      try {
        state = JournalStore.read<JobState, JobRecord>(stateDir(entry.workspace), apply, jobShape);
      } catch (error) {
        notResumed.push({ jobId: entry.jobId, reason: `its checkpoint cannot be read: ${(error as Error).message}` });
        continue;
      }
      if (!state || (state.status !== 'running' && state.status !== 'pending')) continue;
      try {
        this.resumeNow(entry.jobId);
        resumed.push(entry.jobId);
      } catch (error) {
        // Its score changed or vanished, or the conductor is full: it stays listed for the user.
        notResumed.push({ jobId: entry.jobId, reason: (error as Error).message });
      }
    }
    return { resumed, notResumed };
  }

  /**
   * Checks a score and starts it as a new job (in a cluster: queues it); `startSheet` > 1 skips the
   * sheets before it.
   */
  async submit(scoreFile: string, options: SubmitOptions = {}): Promise<JobSummary> {
    const valid = await this.validScore(resolve(scoreFile));
    // In a cluster the job may already be queued or running on another member: ask before writing.
    if (this.source) await refuseIfBusyElsewhere(this.source, valid.score.name, (m) => new JobError(m));
    return this.submitNow(scoreFile, options, valid).summary;
  }

  /** A concert's next job (a run_job hook): started here, or queued in the cluster. */
  protected async launchChained(scoreFile: string, options: SubmitOptions): Promise<{ jobId: string }> {
    const { jobId, summary } = this.submitNow(scoreFile, options, await this.validScore(resolve(scoreFile)));
    if (summary instanceof Promise) summary.catch((error: Error) => this.onEvent({ type: 'job.hook', jobId: options.concertLink?.parent ?? jobId, at: new Date().toISOString(), index: -1, ok: false, message: `The concert's next job '${jobId}' could not be queued: ${error.message}` }));
    return { jobId };
  }

  /** Starts (or queues) the checked score `valid` of `scoreFile`. */
  private submitNow(scoreFile: string, options: SubmitOptions, valid: ValidScore): Launched {
    const file = resolve(scoreFile);
    // A concert's next job may run in another job's workspace (job_workspace, inherit_workspace).
    const checked = options.workspace ? { ...valid, workspace: resolve(options.workspace) } : valid;
    const { score, plan, workspace } = checked;
    const jobId = score.name;
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running. Use 'mozart status ${jobId}'.`);
    const start = options.startSheet ?? 1;
    if (!Number.isInteger(start) || start < 1 || start > plan.totalSheets) throw new JobError(`--start-sheet must be between 1 and ${plan.totalSheets} (the score has ${plan.totalSheets} sheets).`);
    const refused = (error: unknown) => asRefusal(writeRefusal(jobId, workspace, error, 'started', `run it again ('mozart run ${file}')`), error);
    let existing: JobState | undefined;
    try {
      existing = JournalStore.read<JobState, JobRecord>(stateDir(workspace), apply, jobShape);
    } catch (error) {
      throw refused(error);
    }
    if (existing && existing.jobId !== jobId) {
      throw new JobError(`The workspace ${workspace} holds the checkpoint of job '${existing.jobId}'; a workspace keeps one job's checkpoint. Give '${jobId}' its own workspace (the score's workspace, or job_workspace on the run_job hook that starts it).`);
    }
    if (existing && !options.fresh) {
      const hint = existing.status === 'completed' ? 'It already completed; use --fresh to run it again from the start.' : `Use 'mozart resume ${jobId}' to continue it, or --fresh to start over.`;
      throw new JobError(`Job '${jobId}' already has a checkpoint (${existing.status}). ${hint}`);
    }
    if (!this.source) this.admit(jobId);
    const notes: string[] = [];
    const selfHealing = healingOf(options);
    let store: JournalStore<JobState, JobRecord> | undefined;
    const at = new Date().toISOString();
    try {
      if (options.fresh) {
        const archived = archiveWorkspace(workspace, score.workspace_lifecycle);
        if (archived.kind === 'archived') notes.push(archived.summary);
        else if (archived.kind === 'refused') notes.push(`Nothing was archived: ${archived.message}`);
        rmSync(stateDir(workspace), { recursive: true, force: true });
      }
      const concert = options.concertLink;
      const descriptions = descriptionsOf(score);
      this.registry.put({ jobId, scoreFile: file, workspace, ...(selfHealing ? { selfHealing } : {}), ...(this.source ? { submitter: this.submitter } : {}), ...(options.workspace ? { workspaceGiven: true } : {}), ...(concert ? { concert } : {}), ...(descriptions ? { descriptions } : {}), ...(score.on_success.some((h) => h.type === 'run_job') ? { maxChainDepth: score.concert.max_chain_depth } : {}) });
      this.forgetResting(jobId);
      store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(workspace), apply, shape: jobShape }, initialJobState({ jobId, scoreFile: file, score, plan, workspace }));
      for (let num = 1; num < start; num++) store.append({ t: 'sheet', at, num, patch: { status: 'skipped', skipReason: `Before --start-sheet ${start}.`, finishedAt: at } });
    } catch (error) {
      closeQuietly(store);
      throw refused(error);
    }
    for (const message of notes) this.note(jobId, workspace, { type: 'job.archived', jobId, at, message });
    const withNotes = (summary: JobSummary): JobSummary => ({ ...summary, ...(notes.length ? { notes } : {}) });
    if (this.source) return { jobId, summary: this.enqueue(store, checked, { jobId, scoreFile: file, workspace, priority: score.priority ?? DEFAULT_PRIORITY, submitter: this.submitter, ...(selfHealing ? { selfHealing } : {}) }).then(withNotes) };
    this.start(jobId, store, file, checked);
    return { jobId, summary: withNotes(summariseJob(store.current)) };
  }

  /**
   * Continues a paused, failed, cancelled or interrupted job from its checkpoint, re-reading its
   * score (or `scoreFile`, which then becomes the job's score). Only sheets not yet validated run.
   */
  async resume(jobId: string, options: { scoreFile?: string; force?: boolean } & HealingChoice = {}): Promise<JobSummary> {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running.`);
    if (this.source) await refuseIfBusyElsewhere(this.source, jobId, (m) => new JobError(m));
    const known = this.registry.get(jobId);
    const check = known ? await this.scoreChecks.check(options.scoreFile ? resolve(options.scoreFile) : known.scoreFile) : undefined;
    return this.resumeNow(jobId, options, check);
  }

  /** Resumes from the checkpoint; `check` is of the score it resumes with (checked in place when not given). */
  private resumeNow(jobId: string, options: { scoreFile?: string; force?: boolean } & HealingChoice = {}, check?: FileCheck): JobSummary | Promise<JobSummary> {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running.`);
    const entry = this.entry(jobId);
    const file = options.scoreFile ? resolve(options.scoreFile) : entry.scoreFile;
    const valid = this.checkValid(file, check ?? this.scoreChecks.checkInPlace(file), `fix it ('mozart validate ${file}') and resume again`);
    // A job whose workspace its concert chose keeps that workspace, whatever its score names.
    const checked = entry.workspaceGiven ? { ...valid, workspace: entry.workspace } : valid;
    if (checked.score.name !== jobId) throw new JobError(`The score ${file} is named '${checked.score.name}', not '${jobId}'; a score with another name is another job ('mozart run').`);
    if (checked.workspace !== entry.workspace) throw new JobError(`The score ${file} uses the workspace ${checked.workspace}, but job '${jobId}' ran in ${entry.workspace}; its checkpoint lives there. Keep the workspace, or start a new job with 'mozart run --fresh'.`);
    if (!this.source) this.admit(jobId);
    this.forgetResting(jobId);
    // The last run stopped on a refused write that not even its failure could be recorded after:
    // only memory knows, and resume must still check the sheets whose end went unrecorded.
    // A conductor started since then finds it in the registry entry.
    const stoppedOnDisk = this.unsaved.get(jobId)?.error?.code === 'E403' || entry.stoppedOnDisk === true;
    let store: JournalStore<JobState, JobRecord> | undefined;
    let selfHealing: RegistryEntry['selfHealing'];
    try {
      store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(entry.workspace), apply, shape: jobShape }, initialJobState({ jobId, scoreFile: file, score: checked.score, plan: checked.plan, workspace: entry.workspace }));
      // A job whose checkpoint is gone altogether is rebuilt as after a lost snapshot: validated sheets are taken as done.
      if (store.foundNothing) store.snapshotLost = true;
      const state = store.current;
      if (state.status === 'completed' && state.totalSheets === checked.plan.totalSheets) {
        if (!options.force) throw new JobError(`Job '${jobId}' already completed. Use 'mozart resume ${jobId} --force' to run its last sheet again, or 'mozart run --fresh' to run it all again.`);
        // --force, as in the original: the last sheet runs again, with a fresh budget.
        const last = checked.plan.totalSheets;
        store.append({ t: 'sheet', at: new Date().toISOString(), num: last, patch: { status: 'pending', retries: 0, completionAttempts: 0, rateLimitWaits: 0, quotaWaits: 0, healingAttempts: null, finishedAt: null, skipReason: null } });
      }
      const fanOutStages = fanOutStagesOf(checked.plan);
      if (state.totalSheets !== checked.plan.totalSheets || state.scoreFile !== file || JSON.stringify(state.fanOutStages ?? []) !== JSON.stringify(fanOutStages)) {
        store.append({ t: 'plan', at: new Date().toISOString(), totalSheets: checked.plan.totalSheets, scoreFile: file, fanOutStages });
      }
      selfHealing = healingOf(options, entry.selfHealing);
      const descriptions = descriptionsOf(checked.score);
      if (file !== entry.scoreFile || selfHealing !== entry.selfHealing || JSON.stringify(descriptions) !== JSON.stringify(entry.descriptions) || entry.stoppedOnDisk) {
        this.registry.put({ ...entry, scoreFile: file, selfHealing: selfHealing ?? undefined, descriptions, stoppedOnDisk: undefined });
      }
    } catch (error) {
      closeQuietly(store);
      throw asRefusal(writeRefusal(jobId, entry.workspace, error, 'resumed', `'mozart resume ${jobId}'`), error);
    }
    // Kept until now: a resume the disk refused leaves the job's failure as status showed it.
    this.unsaved.delete(jobId);
    if (this.source) return this.enqueue(store, checked, { jobId, scoreFile: file, workspace: entry.workspace, priority: checked.score.priority ?? DEFAULT_PRIORITY, submitter: entry.submitter ?? this.submitter, ...(selfHealing ? { selfHealing } : {}) });
    this.start(jobId, store, file, checked, undefined, stoppedOnDisk);
    return summariseJob(store.current);
  }

  /**
   * Applies a changed score to a job: a running job is paused at a safe point first (this waits for
   * its running sheets), then the score is re-read; with `resume` the job continues at once.
   */
  async modify(jobId: string, options: { scoreFile?: string; resume?: boolean }): Promise<JobSummary> {
    const entry = this.entry(jobId);
    const file = options.scoreFile ? resolve(options.scoreFile) : entry.scoreFile;
    const checked = await this.validScore(file, 'nothing was changed');
    if (checked.score.name !== jobId) throw new JobError(`The score ${file} is named '${checked.score.name}', not '${jobId}'; nothing was changed.`);
    if (checked.workspace !== entry.workspace) throw new JobError(`The score ${file} uses the workspace ${checked.workspace}, but job '${jobId}' ran in ${entry.workspace}; nothing was changed.`);
    const active = this.active.get(jobId);
    if (active) {
      active.runner.pause();
      await active.done;
    } else if (this.source) {
      await refuseIfBusyElsewhere(this.source, jobId, (m) => new JobError(`${m} Pause it first ('mozart pause ${jobId}'), then modify it.`));
    }
    if (options.resume) return this.resume(jobId, { scoreFile: file });
    if (file !== entry.scoreFile) this.registry.put({ ...entry, scoreFile: file });
    return summariseJob(this.state(jobId));
  }

  async pause(jobId: string): Promise<JobSummary> {
    const active = this.active.get(jobId);
    if (!active) return this.stopNotHere(jobId, 'pause');
    active.runner.pause();
    const summary = summariseJob(active.store.current);
    return summary.status === 'running' ? { ...summary, pausing: true } : summary;
  }

  async cancel(jobId: string): Promise<JobSummary> {
    const active = this.active.get(jobId);
    // A job that ended with its concert's next job still waiting out the cooldown: cancel that.
    if (!active && this.chains.cancelNext(jobId)) return summariseJob(this.state(jobId));
    if (!active) return this.stopNotHere(jobId, 'cancel');
    this.chains.cancelNext(jobId);
    active.runner.cancel();
    this.cancelLaterMembers(jobId);
    return summariseJob(active.store.current);
  }

  /** Ends a proactive checkpoint's wait: the sheet goes on, or (skip) is skipped. */
  approve(jobId: string, sheet: number | undefined, skip: boolean): ApprovalResult {
    return approveSheet(jobId, this.active.get(jobId)?.runner, { sheet, skip, inCluster: this.source !== undefined, status: () => this.state(jobId).status });
  }

  /** `job.adopt`: knows the job in `workspace`, registering it from its checkpoint if need be (adopt.ts). */
  adopt(jobId: string, workspace: string): JobSummary & { adopted: boolean } {
    return adoptJob(this.registry, jobId, workspace, (id) => this.state(id));
  }

  /** Pause or cancel of a job this conductor does not run: in a cluster it may run or wait elsewhere. */
  private async stopNotHere(jobId: string, op: 'pause' | 'cancel'): Promise<JobSummary> {
    const notRunning = () => new JobError(`Job '${jobId}' is not running (${this.state(jobId).status}).`);
    // A paused job runs nowhere: cancelling it only records that it will not be resumed.
    if (op === 'cancel' && this.state(jobId).status === 'paused') return this.recordStatus(jobId, 'cancelled', 'Cancelled while paused; its validated sheets stay done.');
    if (!this.source) throw notRunning();
    this.entry(jobId);
    return stopElsewhere(this.source, jobId, op, (status) => this.recordStatus(jobId, status, op === 'pause' ? 'Paused before any member took it.' : 'Cancelled before any member took it.'), notRunning);
  }

  /** Cancelling one job of a concert stops the jobs it led to that are still running (a hook waiting on them). */
  private cancelLaterMembers(jobId: string): void {
    const own = this.registry.get(jobId)?.concert;
    for (const [otherId, other] of this.active) {
      const link = this.registry.get(otherId)?.concert;
      if (otherId === jobId || !link) continue;
      const sameChain = own ? link.id === own.id && link.depth > own.depth : link.root === jobId;
      if (!sameChain) continue;
      this.chains.cancelNext(otherId);
      other.runner.cancel();
    }
  }

  /**
   * Forgets finished jobs (default: completed, failed and cancelled; or the one named). Only the
   * conductor's registry entry goes: the workspace, its outputs and checkpoint stay on disk.
   */
  async clear(options: { jobId?: string; statuses?: JobStatus[] }): Promise<{ cleared: string[] }> {
    const busy = this.source ? await this.source.owners() : {};
    const candidates = options.jobId ? [this.entry(options.jobId)] : this.entries();
    const statusOf = (jobId: string): JobStatus | undefined => {
      try {
        return this.state(jobId).status;
      } catch {
        return undefined; // no readable checkpoint: nothing to keep it for
      }
    };
    const cleared = clearable(candidates.map((entry) => entry.jobId), options, (jobId) => this.active.has(jobId) || Boolean(busy[jobId]), statusOf);
    for (const jobId of cleared) {
      this.registry.remove(jobId);
      this.forgetResting(jobId);
      this.unsaved.delete(jobId);
    }
    // Subscribers (the editor's jobs tree) drop what was cleared; the job's own log is not told.
    for (const jobId of cleared) this.onEvent({ type: 'job.cleared', jobId, at: new Date().toISOString(), message: `Job '${jobId}' was cleared from the conductor's list; its workspace stays on disk.` });
    return { cleared };
  }

  /**
   * Re-checks the validations of failed sheets without running the agent again: a sheet whose work
   * is there after all (the agent did it; a validation was wrong and has been fixed) is completed.
   * With `dryRun` nothing is recorded.
   */
  async recover(jobId: string, dryRun: boolean, sheet?: number): Promise<{ recovered: number[]; stillFailing: number[]; jobStatus: JobStatus }> {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is running; pause it before recovering sheets.`);
    if (this.source) await refuseIfBusyElsewhere(this.source, jobId, (m) => new JobError(`${m} Pause it before recovering sheets.`));
    const entry = this.entry(jobId);
    const checked = await this.validScore(entry.scoreFile, 'fix it before recovering');
    const state = this.state(jobId);
    const { recovered, stillFailing } = await recoverSheets(state, checked, entry.workspace, dryRun, sheet);
    this.forgetResting(jobId);
    return { recovered, stillFailing, jobStatus: this.state(jobId).status };
  }

  /**
   * Runs a job the cluster queue gave this member, from its checkpoint, with every write checked
   * against the job's fence. Ends when the job does, or hands it back (the conductor is stopping,
   * or the queue lock was lost) with its running sheets checkpointed as not started.
   */
  async runTaken(taken: TakenTicket): Promise<TakenOutcome> {
    const { ticket, beforeWrite, signal } = taken;
    const { jobId } = ticket;
    if (this.active.has(jobId)) return 'fenced'; // an older run of it still winds down here
    this.forgetResting(jobId);
    const dir = stateDir(ticket.workspace);
    let store: JournalStore<JobState, JobRecord>;
    let checked: ValidScore;
    try {
      const prepared = this.prepared.get(jobId);
      this.prepared.delete(jobId);
      checked = prepared && prepared.stamp === scoreStamp(ticket.scoreFile) && prepared.checked.score.name === jobId ? prepared.checked : await this.validScore(ticket.scoreFile, `fix it ('mozart validate ${ticket.scoreFile}') and resume`);
      store = JournalStore.open<JobState, JobRecord>({ dir, apply, shape: jobShape, beforeWrite }, initialJobState({ jobId, scoreFile: ticket.scoreFile, score: checked.score, plan: checked.plan, workspace: ticket.workspace }));
    } catch (error) {
      if (isFencedOff(error)) return 'fenced';
      // The score changed or broke while the job waited: the job fails here, saying why.
      const failure = { code: error instanceof JobError ? 'E301' : 'E402', message: (error as Error).message };
      try {
        const failed = JournalStore.open<JobState, JobRecord>({ dir, apply, shape: jobShape, beforeWrite }, { jobId } as JobState);
        failed.append({ t: 'job', at: new Date().toISOString(), status: 'failed', error: failure });
        failed.close();
      } catch (inner) {
        if (isFencedOff(inner)) return 'fenced';
      }
      this.onEvent({ type: 'job.failed', jobId, at: new Date().toISOString(), ...failure });
      return 'finished';
    }
    const entry = this.registry.get(jobId);
    if (entry && this.source && entry.lastMember !== this.source.memberId) this.registry.put({ ...entry, lastMember: this.source.memberId });
    this.start(jobId, store, ticket.scoreFile, checked, ticket.selfHealing);
    const active = this.active.get(jobId) as ActiveJob;
    const stop = () => active.runner.pause({ interrupt: true });
    signal.addEventListener('abort', stop, { once: true });
    // For members that cannot read this workspace: what `list` shows of the job there.
    this.source?.publishSummary({ ...summariseJob(store.current), status: 'running', member: this.source.memberId });
    const state = await active.done;
    signal.removeEventListener('abort', stop);
    this.source?.publishSummary({ ...summariseJob(state), member: this.source.memberId });
    if (this.fencedOff.delete(jobId)) return 'fenced';
    if ((signal.aborted || this.handingBack) && state.status === 'paused') {
      // Not paused by anyone: handed back, so the checkpoint says it waits for a member.
      const message = signal.aborted ? 'This member lost the queue lock; the job goes back to the cluster queue.' : 'This member is stopping; the job goes back to the cluster queue for another member.';
      try {
        this.recordStatus(jobId, 'pending', message, beforeWrite);
      } catch {
        return 'fenced';
      }
      this.onEvent({ type: 'job.cluster', jobId, at: new Date().toISOString(), action: 'handed-back', message });
      return 'hand-back';
    }
    return 'finished';
  }

  /** Puts a prepared run in the cluster queue (its checkpoint is written and closed first). */
  private async enqueue(store: JournalStore<JobState, JobRecord>, checked: ValidScore, ticket: RunTicket): Promise<JobSummary> {
    const summary = summariseJob(store.current);
    store.close();
    // If this member takes the run itself, the score it just checked need not be checked again.
    this.prepared.set(ticket.jobId, { stamp: scoreStamp(ticket.scoreFile), checked });
    try {
      await (this.source as JobSource).dispatch(ticket);
    } catch (error) {
      throw new JobError((error as Error).message);
    }
    this.onEvent({ type: 'job.cluster', jobId: ticket.jobId, at: new Date().toISOString(), action: 'queued', message: `Queued in the cluster (priority ${ticket.priority}, submitted by ${ticket.submitter}); the first member with room runs it.` });
    return summary;
  }

  /** Writes a job-level status to the checkpoint of a job no runner holds. */
  private recordStatus(jobId: string, status: JobStatus, message: string, beforeWrite?: () => void): JobSummary {
    const store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(this.entry(jobId).workspace), apply, shape: jobShape, ...(beforeWrite ? { beforeWrite } : {}) }, { jobId } as JobState);
    try {
      store.append({ t: 'job', at: new Date().toISOString(), status, error: null });
      writeViewQuietly(this.entry(jobId).workspace, store.current);
    } finally {
      store.close();
      this.forgetResting(jobId);
    }
    const type = status === 'paused' ? 'job.paused' : status === 'cancelled' ? 'job.cancelled' : undefined;
    if (type) this.onEvent({ type, jobId, at: new Date().toISOString(), message });
    return summariseJob(this.state(jobId));
  }

  /** Pauses every running job, stopping running agents, and waits until each is checkpointed. */
  async pauseAll(): Promise<void> {
    this.handingBack = this.source !== undefined;
    this.chains.close();
    this.notifications.close();
    const waits = [...this.active.values()].map((job) => {
      job.runner.pause({ interrupt: true });
      return job.done;
    });
    await Promise.allSettled(waits);
  }

  /** Refuses new work when the conductor is full or the machine is short of memory. */
  private admit(jobId: string): void {
    if (this.active.size >= this.limits.maxRunningJobs) {
      throw new JobError(`The conductor is already running ${this.active.size} jobs, its limit (max_concurrent_jobs: --max-jobs, MOZART_MAX_JOBS or conductor.yaml). Job '${jobId}' was not started; try again when one finishes.`);
    }
    const available = this.availableMemory();
    if (available < this.limits.minAvailableMemoryBytes) {
      throw new JobError(`Memory is short: ${mb(available)} MB available, below the ${mb(this.limits.minAvailableMemoryBytes)} MB the conductor keeps free (resource_limits.min_free_memory_mb: MOZART_MIN_FREE_MEMORY_MB or conductor.yaml). Job '${jobId}' was not started; nothing was lost — start it again when memory frees up.`);
    }
  }
}

/** The client's answer for an error a submit or resume met while writing: `message` when the job's files are the cause. */
function asRefusal(message: string | undefined, error: unknown): unknown {
  return message ? new JobError(message, { cause: error }) : error;
}

/** Releases a store a refused submit or resume opened; its own compaction may be refused too. */
function closeQuietly(store: JournalStore<JobState, JobRecord> | undefined): void {
  try {
    store?.close();
  } catch {
    /* the journal on disk stays readable */
  }
}
