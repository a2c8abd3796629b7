// What the parts of a running job share: its options, its clock, whether a stop was asked for, and
// the only ways anything is written — checkpoint records, events, and the waits status shows. The
// sheet loop and the job runner carry out decisions through it; attempts never touch it.
import { appendFileSync } from 'node:fs';
import type { Backend } from '../backends/types.js';
import type { SheetPlan } from '../../../score/src/plan.js';
import type { Score } from '../../../score/src/score-types.js';
import type { JournalStore } from '../state/journal-store.js';
import type { ErrorRecord, JobRecord, JobState, JobStatus, SheetPatch, SheetSpan, SheetState, SheetWaitKind } from '../../../protocol/src/job-state.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { eventLogFile } from '../state/workspace-files.js';
import { CheckpointView } from '../state/checkpoint-view.js';
import { JobLog } from './job-log.js';
import { ApprovalWaits } from './approval.js';
import type { Clock } from './clock.js';
import type { ConcertLink } from './concert.js';
import { compileRateLimitPatterns } from './classify.js';
import type { ClassifiedError } from './errors.js';
import { findRemedies, heal, MAX_HEALING_ATTEMPTS } from './healing.js';
import type { ScoreFileCheck } from './healing.js';
import type { SubmitJob } from './hooks.js';
import { CheckpointSaveError } from './job-setup.js';
import type { RateLimitBoard } from './job-setup.js';
import type { RuleResult } from './validations.js';
import type { ActiveWorktree } from './worktree.js';
import type { SheetLearning } from '../learning/hub.js';
import type { JobLearning } from '../learning/runner-bridge.js';

/** Everything a runner needs for one job. */
export interface JobRunnerOptions {
  jobId: string;
  scoreFile: string;
  score: Score;
  plan: SheetPlan;
  workspace: string;
  backend: Backend;
  store: JournalStore<JobState, JobRecord>;
  onEvent?: (event: RunnerEvent) => void;
  /** Each checkpoint record once it is saved: what subscribers fold into the job's state. */
  onRecord?: (record: JobRecord) => void;
  /** Starts another job for run_job hooks (the conductor supplies it). */
  submitJob?: SubmitJob;
  /** This job's place in its concert, when a run_job hook of another job started it. */
  concertLink?: ConcertLink;
  /** Self-healing when a sheet would fail for good (--self-healing; autoConfirm: --yes). */
  selfHealing?: { autoConfirm: boolean };
  /** Checks a score file for healing's advice; the conductor's checks a big score off its event loop (default: in place). */
  checkScore?: ScoreFileCheck;
  /** Rate-limit waits shared with the conductor's other jobs on the same backend. */
  rateLimits?: RateLimitBoard;
  /** How waits pass (backoff, rate limits, cooldowns, pauses between sheets); default real time. */
  clock?: Clock;
  /** The conductor's learning hub: guidance for prompts, and where attempt outcomes go. */
  learning?: SheetLearning;
  /**
   * The original's files at the workspace root: `<job-id>.json` (the checkpoint in its shape) and
   * `mozart.log` (default on; the bench turns them off to measure their cost).
   */
  originalFiles?: boolean;
}

export type StopMode = 'pause' | 'cancel' | 'cost';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type JobEvent = DistributiveOmit<RunnerEvent, 'jobId' | 'at'>;

export class JobContext {
  stopMode: StopMode | undefined;
  /** Aborts running agents (cancel, or pause with interrupt). */
  readonly abort = new AbortController();
  /** Aborted to cut short backoff and rate-limit waits (on pause and cancel). */
  readonly abortWaits = new AbortController();
  /** Sheets waiting at a proactive checkpoint for a person's decision. */
  readonly approvals = new ApprovalWaits();
  anyFailed = false;
  /** The circuit breaker's count: consecutive failed attempts of any sheet. */
  consecutiveFailures = 0;
  costStop: { code: string; message: string } | undefined;
  saveError: CheckpointSaveError | undefined;
  /** The job's git worktree while isolation is active; agents run there instead of the checkout. */
  worktree: ActiveWorktree | undefined;

  /** The score's rate-limit patterns, compiled once per job. */
  readonly rateLimitPatterns: RegExp[];
  /** `<workspace>/<job-id>.json`, kept current from the saved records. */
  readonly view: CheckpointView | undefined;
  /** `<workspace>/mozart.log`. */
  readonly log: JobLog | undefined;

  constructor(
    readonly options: JobRunnerOptions,
    readonly clock: Clock,
    /** Learning for this job (undefined when the score turns it off or the conductor has no hub). */
    readonly learning: JobLearning | undefined,
  ) {
    this.rateLimitPatterns = compileRateLimitPatterns(options.score.rate_limit.detection_patterns);
    if (options.originalFiles !== false) {
      const { parallel } = options.score;
      this.view = new CheckpointView({
        workspace: options.workspace, jobId: options.jobId, state: () => this.state,
        parallel: { enabled: parallel.enabled, maxConcurrent: parallel.enabled ? parallel.max_concurrent : 1 },
        warn: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
      });
      // A gap in mozart.log is told once: to the conductor's log and to whoever follows the job.
      this.log = new JobLog(options.workspace, (message) => {
        process.stderr.write(`${new Date().toISOString()} ${message}\n`);
        this.emit({ type: 'job.notice', title: 'Mozart log', message, level: 'warning' });
      });
    }
  }

  /** The run is over: the last write of the view, and the log closed. */
  closeFiles(): void {
    this.view?.close();
    this.log?.close();
  }

  get state(): JobState {
    return this.options.store.current;
  }

  sheet(num: number): SheetState | undefined {
    return this.state.sheets[String(num)];
  }

  /** Stops now: running agents are killed and waits end. */
  stopNow(mode: 'cancel'): void {
    this.stopMode = mode;
    this.abortWaits.abort();
    this.abort.abort();
  }

  /** Waits in the job's time; cut short by pause and cancel. */
  wait(delayMs: number): Promise<void> {
    return this.clock.wait(delayMs, this.abortWaits.signal);
  }

  /** Waits, recording the wait on the sheet so status shows it; cut short by pause/cancel. */
  async waitAsSheet(num: number, delayMs: number, reason: string, kind: SheetWaitKind): Promise<void> {
    const start = Date.now();
    this.recordSheet(num, { waitingUntil: this.clock.dueAt(delayMs), waitReason: reason });
    await this.wait(delayMs);
    // The span records the wait as it was (cut short by a pause, it is shorter than asked for).
    this.recordSheet(num, { waitingUntil: null, waitReason: null }, undefined, undefined, { kind: 'wait', wait: kind, start, end: Math.max(start, Date.now()) });
  }

  /**
   * With --self-healing: looks for a known cause of a failure about to become final. A remedy
   * carried out gives the sheet a fresh retry budget (the caller retries); otherwise the note says
   * what healing found, for the failure's message. At most MAX_HEALING_ATTEMPTS passes per sheet.
   */
  async tryHealing(num: number, error: ClassifiedError, rules: readonly RuleResult[], cwd: string, current: SheetState): Promise<{ healed: boolean; note: string }> {
    const options = this.options.selfHealing;
    if (!options) return { healed: false, note: '' };
    const used = current.healingAttempts ?? 0;
    if (used >= MAX_HEALING_ATTEMPTS) return { healed: false, note: ` Self-healing already ran ${used} times on this sheet.` };
    const { score, scoreFile, workspace } = this.options;
    const report = heal(await findRemedies({ error, rules, score, scoreFile, workspace, cwd, ...(this.options.checkScore ? { checkScore: this.options.checkScore } : {}) }), options.autoConfirm);
    this.recordSheet(num, { healingAttempts: used + 1 });
    this.emit({ type: 'sheet.healing', sheet: num, code: error.code, ...report });
    const open = [...report.skipped, ...report.diagnostics].map((r) => r.message);
    if (report.applied.length > 0) return { healed: true, note: '' };
    return { healed: false, note: open.length > 0 ? ` Self-healing: ${open.join(' ')}` : ' Self-healing found no remedy.' };
  }

  /** A sheet that never ran its agent fails (a refused attempt). */
  failSheet(num: number, error: Pick<ClassifiedError, 'code' | 'category' | 'message'>, attempt: number): void {
    const at = new Date().toISOString();
    this.recordSheet(num, { status: 'failed', finishedAt: at }, { code: error.code, category: error.category, message: error.message, attempt, at });
    this.anyFailed = true;
    this.emit({ type: 'sheet.failed', sheet: num, code: error.code, message: error.message });
  }

  emitCost(cost: number): void {
    if (cost > 0) this.emit({ type: 'job.cost_update', costUsd: this.state.costUsd });
  }

  recordSheet(num: number, patch: SheetPatch, error?: ErrorRecord, addCostUsd?: number, span?: SheetSpan): void {
    // Outcomes (a sheet done, failed or skipped, an error, money spent) must survive a power loss.
    // "Started", "agent pid", "waiting until" need not: after a power loss the agent is gone and
    // the sheet, still pending on disk, simply runs again — and a process crash loses nothing,
    // as every record reaches the kernel before the next step.
    const outcome = patch.status === 'completed' || patch.status === 'failed' || patch.status === 'skipped' || error !== undefined || (addCostUsd ?? 0) > 0;
    this.save({ t: 'sheet', at: new Date().toISOString(), num, patch, ...(error ? { error } : {}), ...(addCostUsd ? { addCostUsd } : {}), ...(span ? { span } : {}) }, { sync: outcome });
  }

  recordJob(status: JobStatus, error: { code: string; message: string } | null): void {
    this.save({ t: 'job', at: new Date().toISOString(), status, error });
  }

  /**
   * Appends to the checkpoint. When that fails (a full disk, a read-only folder) the job cannot go
   * on without losing track of its work: running agents are stopped, nothing new starts, and the
   * error reaches whoever runs the job. Everything saved before stays as it was.
   */
  save(record: JobRecord, options?: { sync?: boolean }): void {
    try {
      this.options.store.append(record, options);
    } catch (error) {
      this.saveFailed(error);
    }
    this.view?.saved(record);
    this.options.onRecord?.(record);
  }

  private saveFailed(error: unknown): never {
    if (!this.saveError) {
      this.saveError = new CheckpointSaveError(error as Error);
      this.stopNow('cancel');
    }
    throw this.saveError;
  }

  emit(event: JobEvent): void {
    const full = { ...event, jobId: this.options.jobId, at: new Date().toISOString() } as RunnerEvent;
    if (full.type !== 'sheet.output') {
      try {
        appendFileSync(eventLogFile(this.options.workspace), JSON.stringify(full) + '\n');
      } catch {
        /* the event log is best effort; the checkpoint is what must not be lost */
      }
      const num = (full as { sheet?: number }).sheet;
      this.log?.event(full, num === undefined ? undefined : this.sheet(num));
    }
    this.options.onEvent?.(full);
  }
}
