// The jobs the conductor holds: its registry, the runners it started and how their runs end, and
// everything that answers questions about a job (state, status, list, errors, diagnose, logs,
// health). JobManager (job-manager.ts) adds what changes jobs: submit, resume, pause, cancel, …
import { accessSync, appendFileSync, constants, statfsSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { freemem } from 'node:os';
import { resolve } from 'node:path';
import { createBackend } from '../backends/create.js';
import type { DiagnoseReport, JobErrorEntry, JobSummary, LogChunk } from '../../../protocol/src/methods.js';
import { summariseJob } from '../../../protocol/src/summary.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { CheckpointSaveError, JobRunner } from '../runner/job-runner.js';
import { isValid } from '../../../score/src/engine.js';
import { clip } from '../../../score/src/finding-text.js';
import { ScoreChecks } from './score-checks.js';
import type { FileCheck } from './score-checks.js';
import type { JobRecord, JobState } from '../../../protocol/src/job-state.js';
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import { JournalStore, StateLoadError } from '../state/journal-store.js';
import { jobShape } from '../state/job-shape.js';
import { writeViewQuietly } from '../state/checkpoint-view.js';
import { diskFullFailure, diskRefusal, inferDoneSheets, UNRECORDED_ON_RESUME, unreadableSummary } from './state-trouble.js';
import { eventLogFile, sheetLogFile, stateDir } from '../state/workspace-files.js';
import type { Board } from './board.js';
import { unlimitedAgents } from './board.js';
import { cappedBackend } from './capped-backend.js';
import { ChainStarter } from './chains.js';
import { JobNotifications, notificationFailures, teeEvents } from './job-notifications.js';
import type { JobSource } from './job-source.js';
import { SharedRateLimits } from './rate-limits.js';
import type { RateLimitHistory } from './rate-limits.js';
import type { SheetLearning } from '../learning/hub.js';
import { gatedLearning } from '../learning/gate.js';
import type { LearningPolicy } from '../learning/gate.js';
import { JobRegistry } from './registry.js';
import type { JobRegistryStore, RegistryEntry } from './registry.js';
import { withMembers } from './remote-jobs.js';
import { diagnose, jobErrors, readLogChunk } from './reports.js';
import type { JobRecordEvent } from '../../../protocol/src/events.js';
import { systemClock } from '../runner/clock.js';
import type { Clock } from '../runner/clock.js';
import { apply, DEFAULT_LIMITS, fileStamp, isFencedOff, JobError, mb } from './manager-parts.js';
import type { ActiveJob, ManagerLimits, ManagerParts, SubmitOptions, ValidScore } from './manager-parts.js';


export abstract class JobBook {
  protected readonly active = new Map<string, ActiveJob>();
  protected readonly board: Pick<Board, 'rateLimits' | 'agentSlots'>;
  protected readonly source: JobSource | undefined;
  protected readonly submitter: string;
  /** Jobs whose run here ended because another member took them over. */
  protected readonly fencedOff = new Set<string>();
  /** Big scores are checked off the event loop first (score-checks.ts). */
  protected readonly scoreChecks = new ScoreChecks();
  /** The conductor's learning hub, handed to every runner (undefined: jobs run without learning). */
  learning: SheetLearning | undefined;
  /** The conductor config's learning switches (learning/gate.ts), read at every attempt. */
  learningPolicy: LearningPolicy = { enabled: true, useGlobalPatterns: true };

  /** Takes up the rate-limit waits a previous conductor recorded (a cluster's board keeps its own in Redis). */
  rememberRateLimits(history: RateLimitHistory): void {
    if (this.board.rateLimits instanceof SharedRateLimits) this.board.rateLimits.remember(history);
  }
  /** Parsed checkpoints of jobs not running, with the file stamp they were read at. */
  protected readonly resting = new Map<string, RestingState>();
  /** Jobs that stopped because their checkpoint could not be written: their last state, in memory. */
  protected readonly unsaved = new Map<string, JobState>();
  /** Called with the available memory; replaceable so tests and health checks agree on one source. */
  availableMemory: () => number = freemem;

  protected readonly registry: JobRegistryStore;
  /** Notification channels of the jobs that run (and of those still delivering). */
  protected readonly notifications = new JobNotifications((event) => this.onEvent(event), {
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
  protected readonly chains: ChainStarter;
  /** How waits pass for this conductor's jobs (real time, unless a test gave a faster clock). */
  protected readonly clock: Clock;
  /** Where journal records of running jobs go (the server's subscribers). */
  protected readonly onRecord: (event: JobRecordEvent) => void;

  constructor(
    registryDir: string,
    protected readonly onEvent: (event: RunnerEvent) => void,
    protected limits: ManagerLimits = DEFAULT_LIMITS,
    parts: ManagerParts = {},
  ) {
    this.registry = parts.registry ?? new JobRegistry(registryDir);
    this.board = parts.board ?? { rateLimits: new SharedRateLimits(), agentSlots: unlimitedAgents };
    this.source = parts.source;
    this.submitter = parts.submitter ?? 'local';
    this.clock = parts.clock ?? systemClock;
    this.onRecord = parts.onRecord ?? (() => undefined);
    this.chains = new ChainStarter(
      {
        jobIdOf: async (scoreFile) => {
          try {
            return (await this.validScore(resolve(scoreFile))).score.name;
          } catch (error) {
            throw new Error((error as Error).message.split('\n')[0]);
          }
        },
        submit: (scoreFile, options) => this.launchChained(scoreFile, options),
        whenDone: (jobId) => this.active.get(jobId)?.done,
        emit: (event) => this.onEvent(event),
      },
      this.clock,
    );
  }

  /** New limits (a config reload): the next job admitted is held to them; running jobs go on. */
  setLimits(limits: ManagerLimits): void {
    this.limits = { ...limits };
  }

  /** The conductor config's notification channels, for jobs started from now on. */
  setDefaultChannels(channels: Parameters<JobNotifications['setDefaults']>[0]): void {
    this.notifications.setDefaults(channels);
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
    // keep its parsed checkpoint (and so its encoded JSON, see server.keepJson) until it changes.
    // A single conductor learns of a change from the file system (a watch on the state folder, set
    // up before the read so no write is missed) and from its own writes (forgetResting); in a
    // cluster, where other machines write to shared storage a watch cannot see, or where no watch
    // can be had, the files' size and mtime are compared at each question instead.
    const cached = this.resting.get(jobId);
    if (cached && cached.dir === dir && (cached.watcher ? true : cached.stamp === fileStamp(dir))) return cached.state;
    this.forgetResting(jobId);
    const watcher = this.source ? undefined : watchState(dir, () => this.forgetResting(jobId));
    const stamp = watcher ? '' : fileStamp(dir);
    let state: JobState | undefined;
    try {
      state = JournalStore.read<JobState, JobRecord>(dir, apply, jobShape);
    } catch (error) {
      watcher?.close();
      if (error instanceof StateLoadError) throw new JobError(`${error.code} Job '${jobId}': ${error.message}`, { cause: error });
      throw error;
    }
    if (!state) {
      watcher?.close();
      throw new JobError(`Job '${jobId}' has no checkpoint in ${dir}: it was deleted or moved, or the job never started. Resume it ('mozart resume ${jobId}') to rebuild it: sheets whose validations pass are taken as done and not run again.`);
    }
    this.resting.set(jobId, { dir, stamp, state, ...(watcher ? { watcher } : {}) });
    return state;
  }

  /** Drops a job's cached checkpoint (this conductor is about to write it, or it changed). */
  protected forgetResting(jobId: string): void {
    const cached = this.resting.get(jobId);
    if (!cached) return;
    cached.watcher?.close();
    this.resting.delete(jobId);
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
        const pausing = this.active.get(entry.jobId)?.runner.pausing === true;
        summary = { ...summariseJob(this.state(entry.jobId)), ...(entry.lastMember ? { member: entry.lastMember } : {}), ...(pausing ? { pausing } : {}) };
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

  /** The score of `file`, checked off the event loop when it is big (score-checks.ts); throws when it is not valid. */
  protected async validScore(file: string, remedy?: string): Promise<ValidScore> {
    return this.checkValid(file, await this.scoreChecks.check(file), remedy);
  }

  protected checkValid(file: string, read: FileCheck, remedy = 'nothing was started'): ValidScore {
    if (read.error !== undefined) throw new JobError(`Cannot read the score: ${read.error}. ${remedy.charAt(0).toUpperCase()}${remedy.slice(1)}.`);
    const checked = read.result;
    if (!isValid(checked) || !checked.score || !checked.plan || !checked.workspace) {
      const errors = checked.findings.filter((f) => f.severity === 'error');
      const list = errors
        .slice(0, 5)
        .map((f) => `  ${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.id} ${clip(f.message)}`)
        .join('\n');
      throw new JobError(`The score is not valid (${errors.length} error${errors.length === 1 ? '' : 's'}); ${remedy}:\n${list}\nRun 'mozart validate ${file}' for every finding.`);
    }
    return checked as ValidScore;
  }

  protected entries(): RegistryEntry[] {
    return this.registry.entries();
  }

  protected entry(jobId: string): RegistryEntry {
    const found = this.registry.get(jobId);
    if (!found) throw new JobError(`No job named '${jobId}'. Run 'mozart list --all' to see the jobs the conductor knows.`);
    return found;
  }

  /** An event about a job that no runner emits (it happened before the runner started). */
  protected note(jobId: string, workspace: string, event: RunnerEvent): void {
    try {
      appendFileSync(eventLogFile(workspace), JSON.stringify(event) + '\n');
    } catch {
      /* the event log is best effort */
    }
    this.onEvent(event);
  }

  /**
   * Records the sheets whose validations pass as done, and says so: after a lost snapshot (any
   * sheet not recorded as done), or after the job stopped on a refused write (E403: the sheets
   * whose attempt was under way, whose end may have gone unrecorded).
   */
  private async inferFromValidations(jobId: string, store: JournalStore<JobState, JobRecord>, checked: ValidScore, why: 'lost' | 'unrecorded'): Promise<void> {
    const inferred = await inferDoneSheets(checked.score, checked.plan, checked.workspace, store.current, why === 'unrecorded');
    const at = new Date().toISOString();
    for (const { num, validations } of inferred) store.append({ t: 'sheet', at, num, patch: { status: 'completed', finishedAt: at, validations } });
    const nums = inferred.map((s) => s.num);
    // After a refused write, a resume where nothing was unrecorded is an ordinary resume: no word.
    if (why === 'unrecorded' && nums.length === 0) return;
    const lost = why === 'unrecorded' ? 'The job had stopped on a write the disk refused (E403)' : store.foundNothing ? `The checkpoint (${stateDir(checked.workspace)}) was gone` : "The checkpoint's snapshot was lost";
    const message = nums.length > 0
      ? `${lost}; sheet(s) ${nums.join(', ')} were taken as done because their validations pass now, and are not run again.`
      : `${lost}, and no sheet's validations pass yet: every sheet not recorded as done runs.`;
    this.note(jobId, checked.workspace, { type: 'job.state_repaired', jobId, at, message });
  }

  /**
   * Starts a runner on the job's store. `stoppedOnDisk`: the job's last run ended in E403 even if
   * the checkpoint could not say so (the failure was only in memory); a checkpoint that says so
   * counts too.
   */
  protected start(jobId: string, store: JournalStore<JobState, JobRecord>, scoreFile: string, checked: ValidScore, healing?: RegistryEntry['selfHealing'], stoppedOnDisk = false): void {
    const { score, plan, workspace } = checked;
    const { selfHealing: registered, concert } = this.registry.get(jobId) ?? {};
    const selfHealing = healing ?? registered;
    const notifier = this.notifications.forJob(jobId, score, plan, workspace, () => store.current);
    const emit = teeEvents(this.onEvent, notifier);
    const runner = new JobRunner({
      jobId, scoreFile, score, plan, workspace, store, onEvent: emit, rateLimits: this.board.rateLimits,
      onRecord: (record) => this.onRecord({ type: 'job.record', jobId, at: 'at' in record ? record.at : new Date().toISOString(), record }),
      backend: cappedBackend(createBackend(score, scoreFile), this.board.agentSlots, score.backend.type),
      submitJob: this.chains.submitterFor(jobId),
      checkScore: (file) => this.scoreChecks.check(file),
      ...(concert ? { concertLink: concert } : {}),
      ...(selfHealing ? { selfHealing } : {}),
      ...(this.learning ? { learning: gatedLearning(this.learning, () => this.learningPolicy) } : {}),
      clock: this.clock,
    });
    for (const message of store.repairs) this.note(jobId, workspace, { type: 'job.state_repaired', jobId, at: new Date().toISOString(), message });
    store.repairs.length = 0;
    // The snapshot was lost, or the last run stopped on a refused write (a sheet's end may not be
    // recorded): sheets whose validations pass are taken as done before anything runs. Without
    // that, the runner starts now, so the job is running when its starter is answered.
    const diskStop = stoppedOnDisk || (store.current.status === 'failed' && store.current.error?.code === 'E403');
    const infer = store.snapshotLost ? 'lost' : diskStop ? 'unrecorded' : undefined;
    const started = infer ? this.inferFromValidations(jobId, store, checked, infer).then(() => runner.run()) : runner.run();
    const done = started
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
            ? { code: error.code, message: `${error.message}. The job stopped; nothing saved before is lost (${UNRECORDED_ON_RESUME}). Fix ${stateDir(workspace)}, then 'mozart resume ${jobId}'.` }
            : { code: 'E999', message: `The runner stopped unexpectedly: ${error.message}` };
        const record: JobRecord = { t: 'job', at, status: 'failed', error: failure };
        try {
          store.append(record);
          writeViewQuietly(workspace, store.current);
        } catch {
          // The disk refuses this too: the failure lives in memory until the job is resumed (the
          // checkpoint still says running, so a restarted conductor tries the job again).
          this.unsaved.set(jobId, applyJobRecord(structuredClone(store.current), record));
          // The registry usually lives on another disk: it keeps the fact for a conductor that
          // starts after this one, which finds the checkpoint saying running and resumes the job.
          const entry = this.registry.get(jobId);
          try {
            if (entry && !entry.stoppedOnDisk) this.registry.put({ ...entry, stoppedOnDisk: true });
          } catch {
            /* that disk refuses too: only this conductor's memory knows */
          }
        }
        emit({ type: 'job.failed', jobId, at, ...failure });
        return store.current;
      })
      .finally(() => {
        this.forgetResting(jobId);
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

  /** A concert's next job (a run_job hook): started here, or queued in the cluster. */
  protected abstract launchChained(scoreFile: string, options: SubmitOptions): Promise<{ jobId: string }>;
}

/** A parsed checkpoint of a job not running, and how the conductor learns that it changed. */
interface RestingState {
  dir: string;
  /** The files' size and mtime when read ('' while a watch stands guard). */
  stamp: string;
  state: JobState;
  watcher?: FSWatcher;
}

/** A watch on a state folder that calls `changed` once on any change; undefined when none can be had. */
function watchState(dir: string, changed: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(dir, { persistent: false }, () => changed());
    watcher.on('error', () => changed());
    return watcher;
  } catch {
    return undefined; // no such folder yet, or no inotify watches left: stamps instead
  }
}
