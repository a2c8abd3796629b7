// One job's life: schedules sheets (in order, or by the dependency graph in parallel), runs each
// sheet's attempt loop (sheet-loop.ts: outcome → decide → apply), and ends with the verdict
// jobVerdict() gives. Stops gracefully on pause, at once on cancel. Decisions come from decide.ts;
// this file and the sheet loop only carry them out.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { killGroup, processStartTime } from '../backends/process.js';
import type { JobState, JobStatus } from '../../../protocol/src/job-state.js';
import { sheetLogFile } from '../state/workspace-files.js';
import { systemClock } from './clock.js';
import { jobVerdict } from './decide.js';
import { runHooks } from './hooks.js';
import { JobContext } from './job-context.js';
import type { JobRunnerOptions } from './job-context.js';
import { SheetScheduler } from './scheduler.js';
import { checkoutDir, runSheet } from './sheet-loop.js';
import { isolateJob, releaseWorktree, shouldRemove } from './worktree.js';
import { jobLearning } from '../learning/runner-bridge.js';

export type { JobRunnerOptions } from './job-context.js';
export type { RateLimitBoard } from './job-setup.js';
export { CheckpointSaveError, fanOutStagesOf, initialJobState, rateLimitKey } from './job-setup.js';

export class JobRunner {
  private readonly job: JobContext;
  private readonly running = new Map<number, Promise<void>>();

  constructor(options: JobRunnerOptions) {
    const learning = jobLearning(options.learning, options.score, options.scoreFile, options.jobId, options.workspace, (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`));
    this.job = new JobContext(options, options.clock ?? systemClock, learning);
  }

  private get state(): JobState {
    return this.job.state;
  }

  /**
   * Asks the job to pause: nothing new starts and waits end early. Running attempts finish, unless
   * `interrupt` (the conductor is stopping): then their agents are stopped and the sheets go back
   * to pending, to run again from the start on resume.
   */
  pause(options: { interrupt?: boolean } = {}): void {
    const job = this.job;
    if (job.stopMode === undefined) {
      job.stopMode = 'pause';
      job.emit({ type: 'job.pausing', message: options.interrupt ? 'The conductor is stopping: running agents are stopped and their sheets checkpointed.' : 'Pausing at the next safe point: running sheets finish first.' });
    }
    job.abortWaits.abort();
    if (options.interrupt) job.abort.abort();
  }

  /** True once a pause was asked for and the job has not stopped yet. */
  get pausing(): boolean {
    return this.job.stopMode === 'pause';
  }

  /** Cancels the job: running agents are killed (their whole process groups). */
  cancel(): void {
    this.job.stopNow('cancel');
  }

  /** Approves or skips a sheet waiting at a proactive checkpoint; false when it is not waiting. */
  approve(sheetNum: number, decision: 'proceed' | 'skip'): boolean {
    return this.job.approvals.decide(sheetNum, decision);
  }

  /** What the original's files cost this run: time they held the event loop, and the view's writes (the bench). */
  filesCost(): { busyMs: number; viewWrites: number } {
    return { busyMs: (this.job.view?.busyMs ?? 0) + (this.job.log?.busyMs ?? 0), viewWrites: this.job.view?.writes ?? 0 };
  }

  /** Sheets waiting at a proactive checkpoint now. */
  awaitingApproval(): number[] {
    return this.job.approvals.sheets();
  }

  /** Runs (or resumes) the job until it completes, fails, pauses or is cancelled. */
  async run(): Promise<JobState> {
    try {
      return await this.runJob();
    } finally {
      this.job.closeFiles();
    }
  }

  private async runJob(): Promise<JobState> {
    mkdirSync(this.job.options.workspace, { recursive: true });
    mkdirSync(dirname(sheetLogFile(this.job.options.workspace, 1)), { recursive: true });
    this.prepareResume();
    // Running from here on, before the first wait: whoever asked for the run or resume is answered
    // with the job running, not with the status it had (a follower would take that as the outcome).
    this.job.recordJob('running', null);
    // Isolation comes first: if the job cannot get the worktree it must not run, no agent should
    // ever start in the user's own checkout by mistake.
    const isolation = await isolateJob({ jobId: this.job.options.jobId, dir: checkoutDir(this.job), scoreFile: this.job.options.scoreFile, config: this.job.options.score.isolation, ...(this.state.worktree ? { previous: this.state.worktree } : {}) });
    if (isolation.kind === 'failed') {
      const error = { code: isolation.code, message: isolation.message };
      this.job.recordJob('failed', error);
      this.job.emit({ type: 'job.failed', ...error });
      return this.state;
    }
    if (isolation.kind === 'worktree') {
      this.job.worktree = isolation.worktree;
      const { path, branch } = isolation.worktree;
      if (this.state.worktree?.path !== path || this.state.worktree.branch !== branch) this.job.save({ t: 'worktree', at: new Date().toISOString(), worktree: { path, branch } });
    }
    const scheduler = new SheetScheduler(this.job.options.plan, this.job.options.score, this.state.sheets);
    const note = isolation.kind === 'none' ? '' : `, ${isolation.note}`;
    this.job.emit({ type: 'job.started', message: `${this.job.options.score.name}: ${this.job.options.plan.totalSheets} sheets${note}` });

    const { parallel } = this.job.options.score;
    const limit = parallel.enabled ? parallel.max_concurrent : 1;
    const failFast = parallel.enabled ? parallel.fail_fast : true;
    let first = true;
    for (;;) {
      const canStart = !this.job.stopMode && !(failFast && this.job.anyFailed);
      if (canStart) {
        while (scheduler.readyCount > 0 && this.running.size < limit) {
          const sheet = scheduler.next();
          if (!sheet) break;
          if (!first && !parallel.enabled && this.job.options.score.pause_between_sheets_seconds > 0) {
            await this.job.wait(this.job.options.score.pause_between_sheets_seconds * 1000);
            if (this.job.stopMode) break;
          }
          first = false;
          const task = runSheet(this.job, sheet).finally(() => {
            this.running.delete(sheet.num);
            const status = this.state.sheets[String(sheet.num)]?.status;
            if (status === 'completed' || status === 'skipped') scheduler.finished(sheet.num);
            // A sheet left pending (pause, cancel) goes back in the queue for a later run() only.
          });
          this.running.set(sheet.num, task);
        }
      }
      if (this.running.size === 0) break;
      try {
        await Promise.race(this.running.values());
      } catch (error) {
        // A sheet failed in a way no decision covers (its checkpoint, prompt or log cannot be
        // written): stop the others now (a refused save already has) rather than wait for their
        // agents to finish, and let them wind down before reporting it.
        this.job.stopNow('cancel');
        await Promise.allSettled(this.running.values());
        throw error;
      }
    }
    const state = this.finish();
    await this.releaseIsolation(state.status);
    if (state.status === 'completed' && this.job.options.score.on_success.length > 0) await this.runSuccessHooks();
    return state;
  }

  /** The job stopped: unlock its worktree, and remove it when the cleanup rules say so. */
  private async releaseIsolation(status: JobStatus): Promise<void> {
    if (!this.job.worktree) return;
    const { removed } = await releaseWorktree(this.job.worktree, shouldRemove(this.job.options.score.isolation, status));
    // A worktree that could not be removed stays recorded, so status still shows where it is.
    if (removed) this.job.save({ t: 'worktree', at: new Date().toISOString(), worktree: null });
    this.job.worktree = undefined;
  }

  private async runSuccessHooks(): Promise<void> {
    const { score, jobId, scoreFile, workspace, plan, submitJob } = this.job.options;
    const { concertLink } = this.job.options;
    const results = await runHooks(score.on_success, { jobId, scoreFile, workspace, sheetCount: plan.totalSheets, concert: score.concert, ...(concertLink ? { link: concertLink } : {}), ...(submitJob ? { submitJob } : {}), signal: this.job.abort.signal });
    for (const r of results) this.job.emit({ type: 'job.hook', index: r.index, ok: r.ok, message: r.message });
  }

  /** After a crash or stop: re-run sheets that were in flight; give failed sheets a fresh budget. */
  private prepareResume(): void {
    for (const [key, sheet] of Object.entries(this.state.sheets)) {
      if (sheet.agent && processStartTime(sheet.agent.pid) === sheet.agent.startTime) {
        // The previous run died with this agent still going: stop it before running the sheet again.
        killGroup(sheet.agent.pid, 'SIGKILL');
      }
      if (sheet.agent) this.job.recordSheet(Number(key), { agent: null });
      if (sheet.status === 'in_progress' || sheet.waitingUntil !== undefined) {
        this.job.recordSheet(Number(key), { status: 'pending', waitingUntil: null, waitReason: null });
      } else if (sheet.status === 'failed') {
        this.job.recordSheet(Number(key), { status: 'pending', retries: 0, completionAttempts: 0, rateLimitWaits: 0, quotaWaits: 0, healingAttempts: null });
      }
    }
  }

  /** No sheet runs any more: record the job's verdict. */
  private finish(): JobState {
    const { stopMode, costStop } = this.job;
    const { status, error } = jobVerdict({ sheets: this.state.sheets, stop: stopMode === 'cost' ? undefined : stopMode, costStop });
    this.job.recordJob(status, error);
    if (status === 'failed' && error) this.job.emit({ type: 'job.failed', code: error.code, message: error.message });
    else this.job.emit({ type: `job.${status}` as 'job.completed' | 'job.paused' | 'job.cancelled' });
    return this.state;
  }
}
