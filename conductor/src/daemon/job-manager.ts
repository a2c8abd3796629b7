// Keeps every job the conductor knows: submits (after checking the score with the engine), runs,
// pauses, resumes, modifies, recovers and cancels them, answers questions about them, and remembers
// them in a registry on disk so a restarted conductor lists them again.
import { accessSync, appendFileSync, constants, rmSync, statfsSync, statSync } from 'node:fs';
import { freemem } from 'node:os';
import { join, resolve } from 'node:path';
import { createBackend } from '../backends/create.js';
import type { ApprovalResult, DiagnoseReport, JobErrorEntry, JobSummary, LogChunk } from '../../../protocol/src/methods.js';
import { summariseJob } from '../../../protocol/src/summary.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { archiveWorkspace } from '../runner/archive.js';
import type { ConcertLink } from '../runner/concert.js';
import { CheckpointSaveError, fanOutStagesOf, initialJobState, JobRunner } from '../runner/job-runner.js';
import { sheetValues } from '../runner/prompt.js';
import { runValidations } from '../runner/validations.js';
import { checkScoreFile, isValid } from '../../../score/src/engine.js';
import type { ScoreCheckResult } from '../../../score/src/engine.js';
import type { SheetPlan } from '../../../score/src/plan.js';
import type { Score } from '../../../score/src/score-types.js';
import type { JobRecord, JobState, JobStatus } from '../../../protocol/src/job-state.js';
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import { JournalStore, StateLoadError } from '../state/journal-store.js';
import { diskFullFailure, diskRefusal, inferDoneSheets, unreadableSummary } from './state-trouble.js';
import { eventLogFile, sheetLogFile, stateDir } from '../state/workspace-files.js';
import type { Board } from './board.js';
import { unlimitedAgents } from './board.js';
import { cappedBackend } from './capped-backend.js';
import { ChainStarter } from './chains.js';
import { JobNotifications, notificationFailures, teeEvents } from './job-notifications.js';
import { DEFAULT_PRIORITY } from './job-source.js';
import type { JobSource, RunTicket } from './job-source.js';
import { SharedRateLimits } from './rate-limits.js';
import type { RateLimitHistory } from './rate-limits.js';
import type { SheetLearning } from '../learning/hub.js';
import { adoptJob } from './adopt.js';
import { JobRegistry } from './registry.js';
import type { JobRegistryStore, RegistryEntry } from './registry.js';
import { refuseIfBusyElsewhere, stopElsewhere, withMembers } from './remote-jobs.js';
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
type Launched = { jobId: string; summary: JobSummary | Promise<JobSummary> };

type ValidScore = ScoreCheckResult & { score: Score; plan: SheetPlan; workspace: string };

type SubmitOptions = { fresh?: boolean; startSheet?: number; workspace?: string; concertLink?: ConcertLink } & HealingChoice;

const apply = (s: JobState, r: JobRecord) => applyJobRecord(s, r);
const FINISHED: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export class JobManager {
  private readonly active = new Map<string, ActiveJob>();
  private readonly board: Pick<Board, 'rateLimits' | 'agentSlots'>;
  private readonly source: JobSource | undefined;
  private readonly submitter: string;
  /** Set while the conductor stops: a cluster member's runs go back to the queue for others. */
  private handingBack = false;
  /** Jobs whose run here ended because another member took them over. */
  private readonly fencedOff = new Set<string>();
  /** Scores this member checked when it queued their runs, with the file stamp they were read at. */
  private readonly prepared = new Map<string, { stamp: string; checked: ValidScore }>();
  /** The conductor's learning hub, handed to every runner (undefined: jobs run without learning). */
  learning: SheetLearning | undefined;

  /** Takes up the rate-limit waits a previous conductor recorded (a cluster's board keeps its own in Redis). */
  rememberRateLimits(history: RateLimitHistory): void {
    if (this.board.rateLimits instanceof SharedRateLimits) this.board.rateLimits.remember(history);
  }
  /** Parsed checkpoints of jobs not running, with the file stamp they were read at. */
  private readonly resting = new Map<string, { dir: string; stamp: string; state: JobState }>();
  /** Jobs that stopped because their checkpoint could not be written: their last state, in memory. */
  private readonly unsaved = new Map<string, JobState>();
  /** Called with the available memory; replaceable so tests and health checks agree on one source. */
  availableMemory: () => number = freemem;

  private readonly registry: JobRegistryStore;
  /** Notification channels of the jobs that run (and of those still delivering). */
  private readonly notifications = new JobNotifications((event) => this.onEvent(event), {
    // Desktop notices go to an editor window that follows the job, when one does (else the OS notifier).
    editor: (notice, title, message) => {
      if (!this.editorFollows(notice.jobId)) return false;
      const level = notice.event === 'job_failed' || notice.event === 'sheet_failed' ? 'error' : notice.event === 'job_paused' ? 'warning' : 'info';
      this.onEvent({ type: 'job.notice', jobId: notice.jobId, at: notice.at, title, message, level });
      return true;
    },
  });
  /** Whether an editor window follows a job's events (the server tells; none without a server). */
  editorFollows: (jobId: string) => boolean = () => false;
  /** The next jobs of concerts, started by run_job hooks. */
  private readonly chains = new ChainStarter({
    jobIdOf: (scoreFile) => {
      try {
        return this.checkValid(resolve(scoreFile)).score.name;
      } catch (error) {
        throw new Error((error as Error).message.split('\n')[0]);
      }
    },
    submit: (scoreFile, options) => this.launchChained(scoreFile, options),
    whenDone: (jobId) => this.active.get(jobId)?.done,
    emit: (event) => this.onEvent(event),
  });

  constructor(
    registryDir: string,
    private readonly onEvent: (event: RunnerEvent) => void,
    private readonly limits: ManagerLimits = DEFAULT_LIMITS,
    parts: ManagerParts = {},
  ) {
    this.registry = parts.registry ?? new JobRegistry(registryDir);
    this.board = parts.board ?? { rateLimits: new SharedRateLimits(), agentSlots: unlimitedAgents };
    this.source = parts.source;
    this.submitter = parts.submitter ?? 'local';
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
        this.resumeNow(entry.jobId);
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
    let state: JobState | undefined;
    try {
      state = JournalStore.read<JobState, JobRecord>(dir, apply);
    } catch (error) {
      if (error instanceof StateLoadError) throw new JobError(`${error.code} Job '${jobId}': ${error.message}`, { cause: error });
      throw error;
    }
    if (!state) throw new JobError(`Job '${jobId}' has no checkpoint in ${entry.workspace}; it never started.`);
    this.resting.set(jobId, { dir, stamp, state });
    return state;
  }

  /** `job.adopt`: knows the job in `workspace`, registering it from its checkpoint if need be (adopt.ts). */
  adopt(jobId: string, workspace: string): JobSummary & { adopted: boolean } {
    return adoptJob(this.registry, jobId, workspace, (id) => this.state(id));
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
  async list(all: boolean): Promise<JobSummary[]> {
    const out: JobSummary[] = [];
    // In a cluster, summaries members published stand in for workspaces this member cannot read.
    const published = this.source ? await this.source.summaries().catch(() => ({}) as Record<string, JobSummary>) : {};
    for (const entry of this.entries()) {
      let summary: JobSummary | undefined;
      try {
        summary = { ...summariseJob(this.state(entry.jobId)), ...(entry.lastMember ? { member: entry.lastMember } : {}) };
      } catch (error) {
        // A checkpoint that cannot be read is listed with its error, never hidden.
        summary = published[entry.jobId] ?? ((error as Error).cause instanceof StateLoadError ? unreadableSummary(entry, (error as Error).cause) : undefined);
      }
      if (!summary || (!all && (summary.status === 'completed' || summary.status === 'cancelled'))) continue;
      out.push(summary);
    }
    const sorted = out.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    return this.source ? withMembers(sorted, await this.source.owners().catch(() => ({}))) : sorted;
  }

  /**
   * Checks a score and starts it as a new job (in a cluster: queues it); `startSheet` > 1 skips the
   * sheets before it.
   */
  async submit(scoreFile: string, options: SubmitOptions = {}): Promise<JobSummary> {
    // In a cluster the job may already be queued or running on another member: ask before writing.
    if (this.source) await refuseIfBusyElsewhere(this.source, this.checkValid(resolve(scoreFile)).score.name, (m) => new JobError(m));
    return this.submitNow(scoreFile, options).summary;
  }

  /** A concert's next job (a run_job hook): started here, or queued in the cluster. */
  private launchChained(scoreFile: string, options: SubmitOptions): { jobId: string } {
    const { jobId, summary } = this.submitNow(scoreFile, options);
    if (summary instanceof Promise) summary.catch((error: Error) => this.onEvent({ type: 'job.hook', jobId: options.concertLink?.parent ?? jobId, at: new Date().toISOString(), index: -1, ok: false, message: `The concert's next job '${jobId}' could not be queued: ${error.message}` }));
    return { jobId };
  }

  private submitNow(scoreFile: string, options: SubmitOptions): Launched {
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
    if (!this.source) this.admit(jobId);
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
    this.registry.put({ jobId, scoreFile: file, workspace, ...(selfHealing ? { selfHealing } : {}), ...(this.source ? { submitter: this.submitter } : {}), ...(options.workspace ? { workspaceGiven: true } : {}), ...(concert ? { concert } : {}), ...(descriptions ? { descriptions } : {}), ...(score.on_success.some((h) => h.type === 'run_job') ? { maxChainDepth: score.concert.max_chain_depth } : {}) });
    const store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(workspace), apply }, initialJobState({ jobId, scoreFile: file, score, plan, workspace }));
    const at = new Date().toISOString();
    for (let num = 1; num < start; num++) store.append({ t: 'sheet', at, num, patch: { status: 'skipped', skipReason: `Before --start-sheet ${start}.`, finishedAt: at } });
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
  async resume(jobId: string, options: { scoreFile?: string } & HealingChoice = {}): Promise<JobSummary> {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running.`);
    if (this.source) await refuseIfBusyElsewhere(this.source, jobId, (m) => new JobError(m));
    return this.resumeNow(jobId, options);
  }

  private resumeNow(jobId: string, options: { scoreFile?: string } & HealingChoice = {}): JobSummary | Promise<JobSummary> {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running.`);
    const entry = this.entry(jobId);
    const file = options.scoreFile ? resolve(options.scoreFile) : entry.scoreFile;
    const valid = this.checkValid(file, `fix it ('mozart validate ${file}') and resume again`);
    // A job whose workspace its concert chose keeps that workspace, whatever its score names.
    const checked = entry.workspaceGiven ? { ...valid, workspace: entry.workspace } : valid;
    if (checked.score.name !== jobId) throw new JobError(`The score ${file} is named '${checked.score.name}', not '${jobId}'; a score with another name is another job ('mozart run').`);
    if (checked.workspace !== entry.workspace) throw new JobError(`The score ${file} uses the workspace ${checked.workspace}, but job '${jobId}' ran in ${entry.workspace}; its checkpoint lives there. Keep the workspace, or start a new job with 'mozart run --fresh'.`);
    if (!this.source) this.admit(jobId);
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
    if (this.source) return this.enqueue(store, checked, { jobId, scoreFile: file, workspace: entry.workspace, priority: checked.score.priority ?? DEFAULT_PRIORITY, submitter: entry.submitter ?? this.submitter, ...(selfHealing ? { selfHealing } : {}) });
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
    return summariseJob(active.store.current);
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
    const active = this.active.get(jobId);
    if (!active) {
      const status = this.state(jobId).status;
      const where = this.source ? ' on this conductor; approve it on the member that runs it (mozart conductor-status shows which)' : '';
      throw new JobError(`Job '${jobId}' is not running${where} (${status}). A sheet waiting for approval asks again when the job resumes ('mozart resume ${jobId}').`);
    }
    const waiting = active.runner.awaitingApproval();
    if (waiting.length === 0) throw new JobError(`No sheet of job '${jobId}' is waiting for approval.`);
    if (sheet === undefined && waiting.length > 1) throw new JobError(`Sheets ${waiting.join(', ')} of job '${jobId}' are waiting for approval; name one with --sheet.`);
    const num = sheet ?? (waiting[0] as number);
    const decision = skip ? 'skip' : 'proceed';
    if (!active.runner.approve(num, decision)) throw new JobError(`Sheet ${num} of job '${jobId}' is not waiting for approval (waiting: ${waiting.join(', ')}).`);
    return { jobId, sheet: num, decision };
  }

  /** Pause or cancel of a job this conductor does not run: in a cluster it may run or wait elsewhere. */
  private async stopNotHere(jobId: string, op: 'pause' | 'cancel'): Promise<JobSummary> {
    const notRunning = () => new JobError(`Job '${jobId}' is not running (${this.state(jobId).status}).`);
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
    const statuses = options.statuses?.length ? options.statuses : FINISHED;
    const cleared: string[] = [];
    const candidates = options.jobId ? [this.entry(options.jobId)] : this.entries();
    for (const entry of candidates) {
      if (this.active.has(entry.jobId) || busy[entry.jobId]) {
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
  async recover(jobId: string, dryRun: boolean, sheet?: number): Promise<{ recovered: number[]; stillFailing: number[]; jobStatus: JobStatus }> {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is running; pause it before recovering sheets.`);
    if (this.source) await refuseIfBusyElsewhere(this.source, jobId, (m) => new JobError(`${m} Pause it before recovering sheets.`));
    const entry = this.entry(jobId);
    const checked = this.checkValid(entry.scoreFile, 'fix it before recovering');
    const state = this.state(jobId);
    const failed = Object.entries(state.sheets)
      .filter(([key, s]) => s.status === 'failed' && (sheet === undefined || Number(key) === sheet))
      .map(([key]) => Number(key))
      .sort((a, b) => a - b);
    if (sheet !== undefined && failed.length === 0) throw new JobError(`Sheet ${sheet} of job '${jobId}' is ${state.sheets[String(sheet)]?.status ?? 'not one of its sheets'}, not failed: nothing to recover.`);
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

  /**
   * Runs a job the cluster queue gave this member, from its checkpoint, with every write checked
   * against the job's fence. Ends when the job does, or hands it back (the conductor is stopping,
   * or the queue lock was lost) with its running sheets checkpointed as not started.
   */
  async runTaken(taken: TakenTicket): Promise<TakenOutcome> {
    const { ticket, beforeWrite, signal } = taken;
    const { jobId } = ticket;
    if (this.active.has(jobId)) return 'fenced'; // an older run of it still winds down here
    const dir = stateDir(ticket.workspace);
    let store: JournalStore<JobState, JobRecord>;
    let checked: ValidScore;
    try {
      const prepared = this.prepared.get(jobId);
      this.prepared.delete(jobId);
      checked = prepared && prepared.stamp === scoreStamp(ticket.scoreFile) && prepared.checked.score.name === jobId ? prepared.checked : this.checkValid(ticket.scoreFile, `fix it ('mozart validate ${ticket.scoreFile}') and resume`);
      store = JournalStore.open<JobState, JobRecord>({ dir, apply, beforeWrite }, initialJobState({ jobId, scoreFile: ticket.scoreFile, score: checked.score, plan: checked.plan, workspace: ticket.workspace }));
    } catch (error) {
      if (isFencedOff(error)) return 'fenced';
      // The score changed or broke while the job waited: the job fails here, saying why.
      const failure = { code: error instanceof JobError ? 'E301' : 'E402', message: (error as Error).message };
      try {
        const failed = JournalStore.open<JobState, JobRecord>({ dir, apply, beforeWrite }, { jobId } as JobState);
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
    const store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(this.entry(jobId).workspace), apply, ...(beforeWrite ? { beforeWrite } : {}) }, { jobId } as JobState);
    try {
      store.append({ t: 'job', at: new Date().toISOString(), status, error: null });
    } finally {
      store.close();
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
      throw new JobError(`The conductor is already running ${this.active.size} jobs, its limit (--max-jobs / MOZART_MAX_JOBS). Job '${jobId}' was not started; try again when one finishes.`);
    }
    const available = this.availableMemory();
    if (available < this.limits.minAvailableMemoryBytes) {
      throw new JobError(`Memory is short: ${mb(available)} MB available, below the ${mb(this.limits.minAvailableMemoryBytes)} MB the conductor keeps free (MOZART_MIN_FREE_MEMORY_MB). Job '${jobId}' was not started; nothing was lost — start it again when memory frees up.`);
    }
  }

  private checkValid(file: string, remedy = 'nothing was started'): ValidScore {
    const read = checkScoreFile(file);
    if (read.error !== undefined) throw new JobError(`Cannot read the score: ${read.error}. ${remedy.charAt(0).toUpperCase()}${remedy.slice(1)}.`);
    const checked = read.result;
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

  /** Records the sheets whose validations pass as done, after a lost snapshot, and says so. */
  private async inferFromValidations(jobId: string, store: JournalStore<JobState, JobRecord>, checked: ValidScore): Promise<void> {
    const inferred = await inferDoneSheets(checked.score, checked.plan, checked.workspace, store.current);
    const at = new Date().toISOString();
    for (const { num, validations } of inferred) store.append({ t: 'sheet', at, num, patch: { status: 'completed', finishedAt: at, validations } });
    const nums = inferred.map((s) => s.num);
    const message = nums.length > 0
      ? `The checkpoint's snapshot was lost; sheet(s) ${nums.join(', ')} were taken as done because their validations pass now, and are not run again.`
      : "The checkpoint's snapshot was lost, and no sheet's validations pass yet: every sheet not recorded as done runs.";
    this.note(jobId, checked.workspace, { type: 'job.state_repaired', jobId, at, message });
  }

  private start(jobId: string, store: JournalStore<JobState, JobRecord>, scoreFile: string, checked: ValidScore, healing?: RegistryEntry['selfHealing']): void {
    const { score, plan, workspace } = checked;
    const { selfHealing: registered, concert } = this.registry.get(jobId) ?? {};
    const selfHealing = healing ?? registered;
    const notifier = this.notifications.forJob(jobId, score, plan, workspace, () => store.current);
    const emit = teeEvents(this.onEvent, notifier);
    const runner = new JobRunner({
      jobId, scoreFile, score, plan, workspace, store, onEvent: emit, rateLimits: this.board.rateLimits,
      backend: cappedBackend(createBackend(score, scoreFile), this.board.agentSlots, score.backend.type),
      submitJob: this.chains.submitterFor(jobId),
      ...(concert ? { concertLink: concert } : {}),
      ...(selfHealing ? { selfHealing } : {}),
      ...(this.learning ? { learning: this.learning } : {}),
    });
    for (const message of store.repairs) this.note(jobId, workspace, { type: 'job.state_repaired', jobId, at: new Date().toISOString(), message });
    store.repairs.length = 0;
    // The snapshot was lost: sheets whose validations pass are taken as done before anything runs.
    const before = store.snapshotLost ? this.inferFromValidations(jobId, store, checked) : Promise.resolve();
    const done = before
      .then(() => runner.run())
      .catch((error: Error) => {
        // Another member took the job over: it writes the checkpoint now, this member nothing more.
        if (isFencedOff(error)) {
          this.fencedOff.add(jobId);
          return store.current;
        }
        const at = new Date().toISOString();
        const refusal = diskRefusal(error);
        const failure = refusal
          ? diskFullFailure(jobId, workspace, refusal)
          : error instanceof CheckpointSaveError
            ? { code: error.code, message: `${error.message}. The job stopped; nothing saved before is lost (a sheet whose end could not be recorded runs again). Fix ${stateDir(workspace)}, then 'mozart resume ${jobId}'.` }
            : { code: 'E999', message: `The runner stopped unexpectedly: ${error.message}` };
        const record: JobRecord = { t: 'job', at, status: 'failed', error: failure };
        try {
          store.append(record);
        } catch {
          // The disk refuses this too: the failure lives in memory until the job is resumed (the
          // checkpoint still says running, so a restarted conductor tries the job again).
          this.unsaved.set(jobId, applyJobRecord(structuredClone(store.current), record));
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

/** True for the error a fence guard throws (or a save that failed because of one). */
function isFencedOff(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === 'E804' || e?.cause?.code === 'E804';
}

/** Size and mtime of a score file ('-' when it cannot be read): changes whenever it is written. */
function scoreStamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return '-';
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
