// Keeps every job the conductor knows: submits (after checking the score with the engine), runs,
// pauses, resumes, modifies, recovers and cancels them, answers questions about them, and remembers
// them in a registry on disk so a restarted conductor lists them again.
import { accessSync, appendFileSync, constants, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import { join, resolve } from 'node:path';
import { createBackend } from '../backends/create.js';
import type { DiagnoseReport, JobErrorEntry, JobSummary, LogChunk } from '../../../protocol/src/methods.js';
import { summariseJob } from '../../../protocol/src/summary.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { archiveWorkspace } from '../runner/archive.js';
import type { ConcertLink } from '../runner/concert.js';
import { CheckpointSaveError, fanOutStagesOf, initialJobState, JobRunner } from '../runner/job-runner.js';
import { sheetValues } from '../runner/prompt.js';
import { runValidations } from '../runner/validations.js';
import { checkScore, isValid } from '../../../score/src/engine.js';
import type { ScoreCheckResult } from '../../../score/src/engine.js';
import type { SheetPlan } from '../../../score/src/plan.js';
import type { Score } from '../../../score/src/score-types.js';
import type { JobRecord, JobState, JobStatus } from '../../../protocol/src/job-state.js';
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import { JournalStore } from '../state/journal-store.js';
import { eventLogFile, sheetLogFile, stateDir } from '../state/workspace-files.js';
import { ChainStarter } from './chains.js';
import { JobNotifications, notificationFailures, teeEvents } from './job-notifications.js';
import { SharedRateLimits } from './rate-limits.js';
import { JobRegistry } from './registry.js';
import type { RegistryEntry } from './registry.js';
import { diagnose, jobErrors, readLogChunk } from './reports.js';

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

const healingOf = (choice: HealingChoice, previous?: RegistryEntry['selfHealing']): RegistryEntry['selfHealing'] =>
  choice.selfHealing === undefined ? previous : choice.selfHealing ? { autoConfirm: choice.autoConfirm === true } : undefined;

interface ActiveJob {
  runner: JobRunner;
  store: JournalStore<JobState, JobRecord>;
  done: Promise<JobState>;
}

type ValidScore = ScoreCheckResult & { score: Score; plan: SheetPlan; workspace: string };

const apply = (s: JobState, r: JobRecord) => applyJobRecord(s, r);
const FINISHED: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export class JobManager {
  private readonly active = new Map<string, ActiveJob>();
  private readonly rateLimits = new SharedRateLimits();
  /** Parsed checkpoints of jobs not running, with the file stamp they were read at. */
  private readonly resting = new Map<string, { dir: string; stamp: string; state: JobState }>();
  /** Jobs that stopped because their checkpoint could not be written: their last state, in memory. */
  private readonly unsaved = new Map<string, JobState>();
  /** Called with the available memory; replaceable so tests and health checks agree on one source. */
  availableMemory: () => number = freemem;

  private readonly registry: JobRegistry;
  /** Notification channels of the jobs that run (and of those still delivering). */
  private readonly notifications = new JobNotifications((event) => this.onEvent(event));
  /** The next jobs of concerts, started by run_job hooks. */
  private readonly chains = new ChainStarter({
    jobIdOf: (scoreFile) => {
      try {
        return this.checkValid(resolve(scoreFile)).score.name;
      } catch (error) {
        throw new Error((error as Error).message.split('\n')[0]);
      }
    },
    submit: (scoreFile, options) => this.submit(scoreFile, options),
    whenDone: (jobId) => this.active.get(jobId)?.done,
    emit: (event) => this.onEvent(event),
  });

  constructor(
    registryDir: string,
    private readonly onEvent: (event: RunnerEvent) => void,
    private readonly limits: ManagerLimits = DEFAULT_LIMITS,
  ) {
    this.registry = new JobRegistry(registryDir);
  }

  /**
   * Resumes jobs a previous conductor left running (it was killed or crashed): their checkpoints
   * still say running or pending. Paused jobs wait for an explicit resume. Returns the resumed ids.
   */
  resumeInterrupted(): string[] {
    const resumed: string[] = [];
    for (const entry of this.entries()) {
      let state: JobState | undefined;
      try {
        state = JournalStore.read<JobState, JobRecord>(stateDir(entry.workspace), apply);
      } catch {
        continue;
      }
      if (!state || (state.status !== 'running' && state.status !== 'pending')) continue;
      try {
        this.resume(entry.jobId);
        resumed.push(entry.jobId);
      } catch {
        /* its score changed or vanished, or the conductor is full; it stays listed for the user */
      }
    }
    return resumed;
  }

  /** Jobs running right now. */
  get runningCount(): number {
    return this.active.size;
  }

  /** Whether the job runs now (its state is live and changes); otherwise it is at rest. */
  isRunning(jobId: string): boolean {
    return this.active.has(jobId);
  }

  /** Jobs in the registry (cheap: no checkpoint is read). */
  get knownCount(): number {
    return this.registry.size;
  }

  /** The current state of a job, running or not. */
  state(jobId: string): JobState {
    const active = this.active.get(jobId);
    if (active) return active.store.current;
    const unsaved = this.unsaved.get(jobId);
    if (unsaved) return unsaved;
    const entry = this.entry(jobId);
    const dir = stateDir(entry.workspace);
    // A job at rest is asked about often (status, list, the extension's tree) and changes rarely:
    // keep its parsed checkpoint while the files on disk are the ones it was read from.
    const stamp = fileStamp(dir);
    const cached = this.resting.get(jobId);
    if (cached && cached.stamp === stamp && cached.dir === dir) return cached.state;
    const state = JournalStore.read<JobState, JobRecord>(dir, apply);
    if (!state) throw new JobError(`Job '${jobId}' has no checkpoint in ${entry.workspace}; it never started.`);
    this.resting.set(jobId, { dir, stamp, state });
    return state;
  }

  /** The state as `status` shows it: the checkpoint, with each sheet's label from sheet.descriptions. */
  status(jobId: string): JobState {
    const state = this.state(jobId);
    const entry = this.registry.get(jobId);
    const next = this.chains.nextOf(jobId);
    const concert = entry?.concert || next ? {
      ...(entry?.concert ?? { depth: 0 }),
      ...(entry?.maxChainDepth !== undefined ? { maxDepth: entry.maxChainDepth } : {}),
      ...(next ? { next: { jobId: next.jobId, scoreFile: next.request.scoreFile, ...(next.startsAt !== undefined ? { startsAt: next.startsAt } : {}) } } : {}),
    } : undefined;
    const labels = entry?.descriptions;
    if (!labels && !concert) return state;
    const sheets: JobState['sheets'] = {};
    for (const [key, sheet] of Object.entries(state.sheets)) sheets[key] = labels?.[key] ? { ...sheet, description: labels[key] } : sheet;
    return { ...state, sheets, ...(concert ? { concert } : {}) };
  }

  /** Every job, newest first; without `all`, completed and cancelled jobs are left out. */
  list(all: boolean): JobSummary[] {
    const out: JobSummary[] = [];
    for (const entry of this.entries()) {
      let state: JobState;
      try {
        state = this.state(entry.jobId);
      } catch {
        continue;
      }
      if (!all && (state.status === 'completed' || state.status === 'cancelled')) continue;
      out.push(summariseJob(state));
    }
    return out.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** Checks a score and starts it as a new job; `startSheet` > 1 skips the sheets before it. */
  submit(scoreFile: string, options: { fresh?: boolean; startSheet?: number; workspace?: string; concertLink?: ConcertLink } & HealingChoice = {}): JobSummary {
    const file = resolve(scoreFile);
    const valid = this.checkValid(file);
    // A concert's next job may run in another job's workspace (job_workspace, inherit_workspace).
    const checked = options.workspace ? { ...valid, workspace: resolve(options.workspace) } : valid;
    const { score, plan, workspace } = checked;
    const jobId = score.name;
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running. Use 'mozart status ${jobId}'.`);
    const start = options.startSheet ?? 1;
    if (!Number.isInteger(start) || start < 1 || start > plan.totalSheets) throw new JobError(`--start-sheet must be between 1 and ${plan.totalSheets} (the score has ${plan.totalSheets} sheets).`);
    const existing = JournalStore.read<JobState, JobRecord>(stateDir(workspace), apply);
    if (existing && existing.jobId !== jobId) {
      throw new JobError(`The workspace ${workspace} holds the checkpoint of job '${existing.jobId}'; a workspace keeps one job's checkpoint. Give '${jobId}' its own workspace (the score's workspace, or job_workspace on the run_job hook that starts it).`);
    }
    if (existing && !options.fresh) {
      const hint = existing.status === 'completed' ? 'It already completed; use --fresh to run it again from the start.' : `Use 'mozart resume ${jobId}' to continue it, or --fresh to start over.`;
      throw new JobError(`Job '${jobId}' already has a checkpoint (${existing.status}). ${hint}`);
    }
    this.admit(jobId);
    const notes: string[] = [];
    if (options.fresh) {
      const archived = archiveWorkspace(workspace, score.workspace_lifecycle);
      if (archived.kind === 'archived') notes.push(archived.summary);
      else if (archived.kind === 'refused') notes.push(`Nothing was archived: ${archived.message}`);
      rmSync(stateDir(workspace), { recursive: true, force: true });
    }
    const selfHealing = healingOf(options);
    const concert = options.concertLink;
    const descriptions = descriptionsOf(score);
    this.registry.put({ jobId, scoreFile: file, workspace, ...(selfHealing ? { selfHealing } : {}), ...(options.workspace ? { workspaceGiven: true } : {}), ...(concert ? { concert } : {}), ...(descriptions ? { descriptions } : {}), ...(score.on_success.some((h) => h.type === 'run_job') ? { maxChainDepth: score.concert.max_chain_depth } : {}) });
    const store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(workspace), apply }, initialJobState({ jobId, scoreFile: file, score, plan, workspace }));
    const at = new Date().toISOString();
    for (let num = 1; num < start; num++) store.append({ t: 'sheet', at, num, patch: { status: 'skipped', skipReason: `Before --start-sheet ${start}.`, finishedAt: at } });
    for (const message of notes) this.note(jobId, workspace, { type: 'job.archived', jobId, at, message });
    this.start(jobId, store, file, checked);
    return { ...summariseJob(store.current), ...(notes.length ? { notes } : {}) };
  }

  /**
   * Continues a paused, failed, cancelled or interrupted job from its checkpoint, re-reading its
   * score (or `scoreFile`, which then becomes the job's score). Only sheets not yet validated run.
   */
  resume(jobId: string, options: { scoreFile?: string } & HealingChoice = {}): JobSummary {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running.`);
    const entry = this.entry(jobId);
    const file = options.scoreFile ? resolve(options.scoreFile) : entry.scoreFile;
    const valid = this.checkValid(file, `fix it ('mozart validate ${file}') and resume again`);
    // A job whose workspace its concert chose keeps that workspace, whatever its score names.
    const checked = entry.workspaceGiven ? { ...valid, workspace: entry.workspace } : valid;
    if (checked.score.name !== jobId) throw new JobError(`The score ${file} is named '${checked.score.name}', not '${jobId}'; a score with another name is another job ('mozart run').`);
    if (checked.workspace !== entry.workspace) throw new JobError(`The score ${file} uses the workspace ${checked.workspace}, but job '${jobId}' ran in ${entry.workspace}; its checkpoint lives there. Keep the workspace, or start a new job with 'mozart run --fresh'.`);
    this.admit(jobId);
    this.unsaved.delete(jobId);
    const store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(entry.workspace), apply }, initialJobState({ jobId, scoreFile: file, score: checked.score, plan: checked.plan, workspace: entry.workspace }));
    const state = store.current;
    if (state.status === 'completed' && state.totalSheets === checked.plan.totalSheets) {
      store.close();
      throw new JobError(`Job '${jobId}' already completed. Use 'mozart run --fresh' to run it again.`);
    }
    const fanOutStages = fanOutStagesOf(checked.plan);
    if (state.totalSheets !== checked.plan.totalSheets || state.scoreFile !== file || JSON.stringify(state.fanOutStages ?? []) !== JSON.stringify(fanOutStages)) {
      store.append({ t: 'plan', at: new Date().toISOString(), totalSheets: checked.plan.totalSheets, scoreFile: file, fanOutStages });
    }
    const selfHealing = healingOf(options, entry.selfHealing);
    const descriptions = descriptionsOf(checked.score);
    if (file !== entry.scoreFile || selfHealing !== entry.selfHealing || JSON.stringify(descriptions) !== JSON.stringify(entry.descriptions)) {
      this.registry.put({ ...entry, scoreFile: file, selfHealing: selfHealing ?? undefined, descriptions });
    }
    this.start(jobId, store, file, checked);
    return summariseJob(store.current);
  }

  /**
   * Applies a changed score to a job: a running job is paused at a safe point first (this waits for
   * its running sheets), then the score is re-read; with `resume` the job continues at once.
   */
  async modify(jobId: string, options: { scoreFile?: string; resume?: boolean }): Promise<JobSummary> {
    const entry = this.entry(jobId);
    const file = options.scoreFile ? resolve(options.scoreFile) : entry.scoreFile;
    const checked = this.checkValid(file, 'nothing was changed');
    if (checked.score.name !== jobId) throw new JobError(`The score ${file} is named '${checked.score.name}', not '${jobId}'; nothing was changed.`);
    if (checked.workspace !== entry.workspace) throw new JobError(`The score ${file} uses the workspace ${checked.workspace}, but job '${jobId}' ran in ${entry.workspace}; nothing was changed.`);
    const active = this.active.get(jobId);
    if (active) {
      active.runner.pause();
      await active.done;
    }
    if (options.resume) return this.resume(jobId, { scoreFile: file });
    if (file !== entry.scoreFile) this.registry.put({ ...entry, scoreFile: file });
    return summariseJob(this.state(jobId));
  }

  pause(jobId: string): JobSummary {
    const active = this.active.get(jobId);
    if (!active) throw new JobError(`Job '${jobId}' is not running (${this.state(jobId).status}).`);
    active.runner.pause();
    return summariseJob(active.store.current);
  }

  cancel(jobId: string): JobSummary {
    const active = this.active.get(jobId);
    // A job that ended with its concert's next job still waiting out the cooldown: cancel that.
    if (!active && this.chains.cancelNext(jobId)) return summariseJob(this.state(jobId));
    if (!active) throw new JobError(`Job '${jobId}' is not running (${this.state(jobId).status}).`);
    this.chains.cancelNext(jobId);
    active.runner.cancel();
    this.cancelLaterMembers(jobId);
    return summariseJob(active.store.current);
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
  clear(options: { jobId?: string; statuses?: JobStatus[] }): { cleared: string[] } {
    const statuses = options.statuses?.length ? options.statuses : FINISHED;
    const cleared: string[] = [];
    const candidates = options.jobId ? [this.entry(options.jobId)] : this.entries();
    for (const entry of candidates) {
      if (this.active.has(entry.jobId)) {
        if (options.jobId) throw new JobError(`Job '${entry.jobId}' is running; cancel or pause it before clearing it.`);
        continue;
      }
      let status: JobStatus | undefined;
      try {
        status = this.state(entry.jobId).status;
      } catch {
        status = undefined; // no readable checkpoint: nothing to keep it for
      }
      if (options.jobId || status === undefined || statuses.includes(status)) {
        this.registry.remove(entry.jobId);
        this.resting.delete(entry.jobId);
        this.unsaved.delete(entry.jobId);
        cleared.push(entry.jobId);
      }
    }
    return { cleared };
  }

  errors(jobId: string, sheet?: number): JobErrorEntry[] {
    return jobErrors(this.state(jobId), sheet);
  }

  diagnose(jobId: string): DiagnoseReport {
    const state = this.status(jobId);
    return diagnose(state, notificationFailures(state.workspace));
  }

  /** A slice of a sheet's full output log, or of the job's event log. */
  logs(jobId: string, options: { sheet?: number; offset?: number; maxBytes?: number }): LogChunk {
    const state = this.state(jobId);
    if (options.sheet !== undefined && !state.sheets[String(options.sheet)]) throw new JobError(`Job '${jobId}' has no sheet ${options.sheet} (it has ${state.totalSheets}).`);
    const path = options.sheet !== undefined ? sheetLogFile(state.workspace, options.sheet) : eventLogFile(state.workspace);
    return readLogChunk(path, options.offset ?? 0, options.maxBytes ?? 64 * 1024);
  }

  /**
   * Re-checks the validations of failed sheets without running the agent again: a sheet whose work
   * is there after all (the agent did it; a validation was wrong and has been fixed) is completed.
   * With `dryRun` nothing is recorded.
   */
  async recover(jobId: string, dryRun: boolean): Promise<{ recovered: number[]; stillFailing: number[]; jobStatus: JobStatus }> {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is running; pause it before recovering sheets.`);
    const entry = this.entry(jobId);
    const checked = this.checkValid(entry.scoreFile, 'fix it before recovering');
    const state = this.state(jobId);
    const failed = Object.entries(state.sheets)
      .filter(([, s]) => s.status === 'failed')
      .map(([key]) => Number(key))
      .sort((a, b) => a - b);
    const recovered: number[] = [];
    const stillFailing: number[] = [];
    const results = new Map<number, Awaited<ReturnType<typeof runValidations>>>();
    for (const num of failed) {
      const planned = checked.plan.sheets[num - 1];
      if (!planned) {
        stillFailing.push(num);
        continue;
      }
      const outcome = await runValidations(checked.score.validations, { workspace: entry.workspace, values: sheetValues(planned, checked.plan, entry.workspace), before: new Map() });
      results.set(num, outcome);
      (outcome.allPassed ? recovered : stillFailing).push(num);
    }
    if (!dryRun && recovered.length > 0) {
      const store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(entry.workspace), apply }, state);
      try {
        const at = new Date().toISOString();
        for (const num of recovered) {
          const outcome = results.get(num);
          const validations = (outcome?.results ?? []).map(({ index, type, description, stage, status, message }) => ({ index, type, description, stage, status, message }));
          store.append({ t: 'sheet', at, num, patch: { status: 'completed', finishedAt: at, validations } });
        }
        const done = Object.values(store.current.sheets).every((s) => s.status === 'completed' || s.status === 'skipped');
        if (done) store.append({ t: 'job', at, status: 'completed', error: null });
        else if (stillFailing.length === 0 && store.current.status === 'failed') store.append({ t: 'job', at, status: 'paused', error: null });
      } finally {
        store.close();
      }
    }
    return { recovered, stillFailing, jobStatus: this.state(jobId).status };
  }

  /** Checks the conductor can keep working: registry writable, memory and disk to spare. */
  health(home: string): { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] } {
    const checks: { name: string; ok: boolean; detail: string }[] = [];
    try {
      accessSync(this.registry.dir, constants.W_OK);
      checks.push({ name: 'registry', ok: true, detail: `${this.registry.dir} is writable` });
    } catch (error) {
      checks.push({ name: 'registry', ok: false, detail: `${this.registry.dir} is not writable: ${(error as Error).message}` });
    }
    const available = this.availableMemory();
    checks.push({ name: 'memory', ok: available >= this.limits.minAvailableMemoryBytes, detail: `${mb(available)} MB available (new work is refused below ${mb(this.limits.minAvailableMemoryBytes)} MB)` });
    try {
      const fs = statfsSync(home);
      const free = fs.bavail * fs.bsize;
      checks.push({ name: 'disk', ok: free >= 100 * 1024 * 1024, detail: `${mb(free)} MB free under ${home}` });
    } catch (error) {
      checks.push({ name: 'disk', ok: false, detail: `Cannot read free space of ${home}: ${(error as Error).message}` });
    }
    checks.push({ name: 'jobs', ok: this.active.size < this.limits.maxRunningJobs, detail: `${this.active.size} of at most ${this.limits.maxRunningJobs} jobs running` });
    return { ok: checks.every((c) => c.ok), checks };
  }

  /** Pauses every running job, stopping running agents, and waits until each is checkpointed. */
  async pauseAll(): Promise<void> {
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
      throw new JobError(`The conductor is already running ${this.active.size} jobs, its limit (--max-jobs / MOZART_MAX_JOBS). Job '${jobId}' was not started; try again when one finishes.`);
    }
    const available = this.availableMemory();
    if (available < this.limits.minAvailableMemoryBytes) {
      throw new JobError(`Memory is short: ${mb(available)} MB available, below the ${mb(this.limits.minAvailableMemoryBytes)} MB the conductor keeps free (MOZART_MIN_FREE_MEMORY_MB). Job '${jobId}' was not started; nothing was lost — start it again when memory frees up.`);
    }
  }

  private checkValid(file: string, remedy = 'nothing was started'): ValidScore {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new JobError(`Cannot read the score ${file}: ${(error as Error).message}`);
    }
    const checked = checkScore(file, text);
    if (!isValid(checked) || !checked.score || !checked.plan || !checked.workspace) {
      const errors = checked.findings.filter((f) => f.severity === 'error');
      const list = errors
        .slice(0, 5)
        .map((f) => `  ${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.id} ${f.message}`)
        .join('\n');
      throw new JobError(`The score is not valid (${errors.length} error${errors.length === 1 ? '' : 's'}); ${remedy}:\n${list}\nRun 'mozart validate ${file}' for every finding.`);
    }
    return checked as ValidScore;
  }

  private entries(): RegistryEntry[] {
    return this.registry.entries();
  }

  private entry(jobId: string): RegistryEntry {
    const found = this.registry.get(jobId);
    if (!found) throw new JobError(`No job named '${jobId}'. Run 'mozart list --all' to see the jobs the conductor knows.`);
    return found;
  }

  /** An event about a job that no runner emits (it happened before the runner started). */
  private note(jobId: string, workspace: string, event: RunnerEvent): void {
    try {
      appendFileSync(eventLogFile(workspace), JSON.stringify(event) + '\n');
    } catch {
      /* the event log is best effort */
    }
    this.onEvent(event);
  }

  private start(jobId: string, store: JournalStore<JobState, JobRecord>, scoreFile: string, checked: ValidScore): void {
    const { score, plan, workspace } = checked;
    const { selfHealing, concert } = this.registry.get(jobId) ?? {};
    const notifier = this.notifications.forJob(jobId, score, plan, workspace, () => store.current);
    const emit = teeEvents(this.onEvent, notifier);
    const runner = new JobRunner({
      jobId, scoreFile, score, plan, workspace, backend: createBackend(score, scoreFile), store, onEvent: emit, rateLimits: this.rateLimits,
      submitJob: this.chains.submitterFor(jobId),
      ...(concert ? { concertLink: concert } : {}),
      ...(selfHealing ? { selfHealing } : {}),
    });
    const done = runner
      .run()
      .catch((error: Error) => {
        const at = new Date().toISOString();
        const failure =
          error instanceof CheckpointSaveError
            ? { code: error.code, message: `${error.message}. The job stopped; nothing saved before is lost (a sheet whose end could not be recorded runs again). Free space or fix ${stateDir(workspace)}, then 'mozart resume ${jobId}'.` }
            : { code: 'E999', message: `The runner stopped unexpectedly: ${error.message}` };
        try {
          store.append({ t: 'job', at, status: 'failed', error: failure });
        } catch {
          // The disk refuses this too: the failure lives in memory until the job is resumed.
          this.unsaved.set(jobId, store.current);
        }
        emit({ type: 'job.failed', jobId, at, ...failure });
        return store.current;
      })
      .finally(() => {
        try {
          store.close();
        } catch {
          /* closing compacts, which needs the disk too; the journal on disk stays readable */
        }
        this.active.delete(jobId);
        this.notifications.finished(notifier);
        this.chains.parentEnded(jobId, store.current.status);
      });
    this.active.set(jobId, { runner, store, done });
  }
}

/** Size and mtime of a checkpoint's files: changes whenever either is written. */
function fileStamp(dir: string): string {
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
function descriptionsOf(score: Score): Record<string, string> | undefined {
  const entries = Object.entries(score.sheet.descriptions).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
