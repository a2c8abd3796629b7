// One job's life: schedules sheets (in order, or by the dependency graph in parallel), runs each
// sheet's attempt loop, checkpoints every transition, and stops gracefully on pause or at once on
// cancel. Decisions come from decide(); this file only carries them out.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { killGroup, processStartTime, runProcess } from '../backends/process.js';
import type { AgentResult, Backend } from '../backends/types.js';
import { resolveFromScore } from '../../../score/src/files.js';
import type { PlannedSheet, SheetPlan } from '../../../score/src/plan.js';
import { expandPlaceholders } from '../../../score/src/placeholders.js';
import type { Score } from '../../../score/src/score-types.js';
import { TemplateRenderError } from '../../../score/src/template.js';
import type { JournalStore } from '../state/journal-store.js';
import type { ErrorRecord, FanOutStage, JobRecord, JobState, JobStatus, SheetPatch, SheetState } from '../../../protocol/src/job-state.js';
import { newSheet } from '../../../protocol/src/job-state.js';
import { eventLogFile, promptFile, sheetLogFile } from '../state/workspace-files.js';
import { classifyFailure, compileRateLimitPatterns } from './classify.js';
import { findRemedies, heal, MAX_HEALING_ATTEMPTS } from './healing.js';
import { costWarnings } from './cost-warning.js';
import { decide } from './decide.js';
import { runHooks } from './hooks.js';
import type { SubmitJob } from './hooks.js';
import type { ConcertLink } from './concert.js';
import type { ClassifiedError } from './errors.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { completionPrompt, renderSheetBody, requirementsSection, sheetExtensions, sheetPrompt, sheetValues } from './prompt.js';
import type { CrossSheetContext } from './prompt.js';
import { skipWhenReason } from './skip-when.js';
import { runValidations, snapshotModifiedTargets } from './validations.js';
import type { RuleResult } from './validations.js';
import { isolateJob, releaseWorktree, shouldRemove } from './worktree.js';
import type { ActiveWorktree } from './worktree.js';
import { conditionHolds } from './conditions.js';
import { ApprovalWaits, approvalMessage, approvalStep } from './approval.js';
import type { SheetLearning } from '../learning/hub.js';
import { guidanceRequest, jobLearning, safeGuidance, safeRecord, sheetRules } from '../learning/runner-bridge.js';
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
  /** Starts another job for run_job hooks (the conductor supplies it). */
  submitJob?: SubmitJob;
  /** This job's place in its concert, when a run_job hook of another job started it. */
  concertLink?: ConcertLink;
  /** Self-healing when a sheet would fail for good (--self-healing; autoConfirm: --yes). */
  selfHealing?: { autoConfirm: boolean };
  /** Rate-limit waits shared with the conductor's other jobs on the same backend. */
  rateLimits?: RateLimitBoard;
  /** Multiplies every wait (backoff, rate limits, pauses between sheets); tests use a small value. */
  timeScale?: number;
  /** The conductor's learning hub: guidance for prompts, and where attempt outcomes go. */
  learning?: SheetLearning;
}

/**
 * Where jobs of one conductor share rate-limit waits: when one job is told to wait, the others using
 * the same backend hold their next attempt until then instead of each hitting the limit in turn.
 */
export interface RateLimitBoard {
  /** Epoch ms until which `key` is rate limited (0 or past: free). */
  until(key: string): number;
  report(key: string, until: number): void;
}

/** Which jobs share a rate limit: the same backend (and, for commands and Ollama, the same target). */
export function rateLimitKey(score: Score): string {
  const b = score.backend;
  switch (b.type) {
    case 'command':
      return `command:${b.command ?? ''}`;
    case 'ollama':
      return `ollama:${b.ollama.base_url}`;
    default:
      return b.type;
  }
}

/** The plan's fanned-out stages, for views that group a stage's instances. */
export function fanOutStagesOf(plan: SheetPlan): FanOutStage[] {
  const stages: FanOutStage[] = [];
  for (const [stage, nums] of [...plan.stageSheets.entries()].sort((a, b) => a[0] - b[0])) {
    if (nums.length > 1) stages.push({ stage, from: Math.min(...nums), to: Math.max(...nums) });
  }
  return stages;
}

/** Creates the initial checkpoint for a job that has never run. */
export function initialJobState(options: { jobId: string; scoreFile: string; score: Score; plan: SheetPlan; workspace: string }): JobState {
  const now = new Date().toISOString();
  const sheets: Record<string, SheetState> = {};
  for (const sheet of options.plan.sheets) sheets[String(sheet.num)] = newSheet();
  const fanOut = fanOutStagesOf(options.plan);
  return {
    version: 1,
    jobId: options.jobId,
    name: options.score.name,
    scoreFile: options.scoreFile,
    workspace: options.workspace,
    status: 'pending',
    createdAt: now,
    updatedAt: now,
    totalSheets: options.plan.totalSheets,
    ...(fanOut.length > 0 ? { fanOutStages: fanOut } : {}),
    sheets,
    costUsd: 0,
  };
}

type StopMode = 'pause' | 'cancel' | 'cost';

/** The checkpoint could not be written: the job stops (E403) and says why. */
export class CheckpointSaveError extends Error {
  readonly code = 'E403';

  constructor(override readonly cause: Error) {
    super(`Cannot save the job's checkpoint: ${cause.message}`);
    this.name = 'CheckpointSaveError';
  }
}

export class JobRunner {
  private readonly abort = new AbortController();
  private stopMode: StopMode | undefined;
  private readonly running = new Map<number, Promise<void>>();
  private readonly rateLimitPatterns: RegExp[];
  private readonly timeScale: number;
  private anyFailed = false;
  private consecutiveFailures = 0;
  private readonly ready = new MinQueue();
  private readonly unmet = new Map<number, number>();
  private readonly dependents = new Map<number, number[]>();
  private costStop: { code: string; message: string } | undefined;
  private saveError: CheckpointSaveError | undefined;
  /** The job's git worktree while isolation is active; agents run there instead of the checkout. */
  private worktree: ActiveWorktree | undefined;
  /** Learning for this job (undefined when the score turns it off or the conductor has no hub). */
  private readonly learning: JobLearning | undefined;

  constructor(private readonly options: JobRunnerOptions) {
    this.rateLimitPatterns = compileRateLimitPatterns(options.score.rate_limit.detection_patterns);
    this.timeScale = options.timeScale ?? Number(process.env.MOZART_TIME_SCALE ?? 1);
    this.learning = jobLearning(options.learning, options.score, options.scoreFile, options.jobId, options.workspace, (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`));
  }

  private get state(): JobState {
    return this.options.store.current;
  }

  /**
   * Asks the job to pause: nothing new starts and waits end early. Running attempts finish, unless
   * `interrupt` (the conductor is stopping): then their agents are stopped and the sheets go back
   * to pending, to run again from the start on resume.
   */
  pause(options: { interrupt?: boolean } = {}): void {
    if (this.stopMode === undefined) {
      this.stopMode = 'pause';
      this.emit({ type: 'job.pausing', message: options.interrupt ? 'The conductor is stopping: running agents are stopped and their sheets checkpointed.' : 'Pausing at the next safe point: running sheets finish first.' });
    }
    this.abortWaits.abort();
    if (options.interrupt) this.abort.abort();
  }

  /** Cancels the job: running agents are killed (their whole process groups). */
  cancel(): void {
    this.stopMode = 'cancel';
    this.abortWaits.abort();
    this.abort.abort();
  }

  /** Aborted to cut short backoff and rate-limit waits (on pause and cancel). */
  private readonly abortWaits = new AbortController();
  private readonly approvals = new ApprovalWaits();

  /** Runs (or resumes) the job until it completes, fails, pauses or is cancelled. */
  async run(): Promise<JobState> {
    mkdirSync(this.options.workspace, { recursive: true });
    mkdirSync(dirname(sheetLogFile(this.options.workspace, 1)), { recursive: true });
    this.prepareResume();
    // Isolation comes first: if the job cannot get the worktree it must not run, no agent should
    // ever start in the user's own checkout by mistake.
    const isolation = await isolateJob({ jobId: this.options.jobId, dir: this.checkoutDir(), scoreFile: this.options.scoreFile, config: this.options.score.isolation, ...(this.state.worktree ? { previous: this.state.worktree } : {}) });
    if (isolation.kind === 'failed') {
      const error = { code: isolation.code, message: isolation.message };
      this.recordJob('failed', error);
      this.emit({ type: 'job.failed', ...error });
      return this.state;
    }
    if (isolation.kind === 'worktree') {
      this.worktree = isolation.worktree;
      const { path, branch } = isolation.worktree;
      if (this.state.worktree?.path !== path || this.state.worktree.branch !== branch) this.save({ t: 'worktree', at: new Date().toISOString(), worktree: { path, branch } });
    }
    this.initScheduling();
    this.recordJob('running', null);
    const note = isolation.kind === 'none' ? '' : `, ${isolation.note}`;
    this.emit({ type: 'job.started', message: `${this.options.score.name}: ${this.options.plan.totalSheets} sheets${note}` });

    const { parallel } = this.options.score;
    const limit = parallel.enabled ? parallel.max_concurrent : 1;
    const failFast = parallel.enabled ? parallel.fail_fast : true;
    let first = true;
    for (;;) {
      const canStart = !this.stopMode && !(failFast && this.anyFailed);
      if (canStart) {
        while (this.ready.size > 0 && this.running.size < limit) {
          const sheet = this.options.plan.sheets[(this.ready.pop() as number) - 1] as PlannedSheet;
          if (!first && !parallel.enabled && this.options.score.pause_between_sheets_seconds > 0) {
            await this.wait(this.options.score.pause_between_sheets_seconds * 1000);
            if (this.stopMode) break;
          }
          first = false;
          const task = this.runSheet(sheet).finally(() => {
            this.running.delete(sheet.num);
            const status = this.state.sheets[String(sheet.num)]?.status;
            if (status === 'completed' || status === 'skipped') this.sheetFinished(sheet.num);
            // A sheet left pending (pause, cancel) goes back in the queue for a later run() only.
          });
          this.running.set(sheet.num, task);
        }
      }
      if (this.running.size === 0) break;
      try {
        await Promise.race(this.running.values());
      } catch (error) {
        // A sheet's attempt failed in a way no decision covers (the checkpoint cannot be saved):
        // the save has stopped the others; let them wind down before reporting it.
        await Promise.allSettled(this.running.values());
        throw error;
      }
    }
    const state = this.finish();
    await this.releaseIsolation(state.status);
    if (state.status === 'completed' && this.options.score.on_success.length > 0) await this.runSuccessHooks();
    return state;
  }

  /** Where agents run without isolation: backend.working_directory, else the score's folder. */
  private checkoutDir(): string {
    const { score, scoreFile } = this.options;
    return resolveFromScore(scoreFile, score.backend.working_directory ?? '.');
  }

  /** The job stopped: unlock its worktree, and remove it when the cleanup rules say so. */
  private async releaseIsolation(status: JobStatus): Promise<void> {
    if (!this.worktree) return;
    const { removed } = await releaseWorktree(this.worktree, shouldRemove(this.options.score.isolation, status));
    // A worktree that could not be removed stays recorded, so status still shows where it is.
    if (removed) this.save({ t: 'worktree', at: new Date().toISOString(), worktree: null });
    this.worktree = undefined;
  }

  private async runSuccessHooks(): Promise<void> {
    const { score, jobId, scoreFile, workspace, plan, submitJob } = this.options;
    const { concertLink } = this.options;
    const results = await runHooks(score.on_success, { jobId, scoreFile, workspace, sheetCount: plan.totalSheets, concert: score.concert, ...(concertLink ? { link: concertLink } : {}), ...(submitJob ? { submitJob } : {}), signal: this.abort.signal });
    for (const r of results) this.emit({ type: 'job.hook', index: r.index, ok: r.ok, message: r.message });
  }

  /**
   * Circuit breaker: after failure_threshold consecutive failed attempts (of any sheet), wait
   * recovery_timeout_seconds before the next attempt, then let one attempt through to test.
   */
  private async circuitGate(): Promise<void> {
    const breaker = this.options.score.circuit_breaker;
    if (!breaker.enabled || this.consecutiveFailures < breaker.failure_threshold) return;
    const delayMs = breaker.recovery_timeout_seconds * 1000;
    this.emit({ type: 'job.circuit_open', failures: this.consecutiveFailures, untilMs: Date.now() + delayMs * this.timeScale });
    this.consecutiveFailures = breaker.failure_threshold - 1; // half-open: one more failure reopens it
    await this.wait(delayMs);
  }

  /** After a crash or stop: re-run sheets that were in flight; give failed sheets a fresh budget. */
  private prepareResume(): void {
    for (const [key, sheet] of Object.entries(this.state.sheets)) {
      if (sheet.agent && processStartTime(sheet.agent.pid) === sheet.agent.startTime) {
        // The previous run died with this agent still going: stop it before running the sheet again.
        killGroup(sheet.agent.pid, 'SIGKILL');
      }
      if (sheet.agent) this.recordSheet(Number(key), { agent: null });
      if (sheet.status === 'in_progress' || sheet.waitingUntil !== undefined) {
        this.recordSheet(Number(key), { status: 'pending', waitingUntil: null, waitReason: null });
      } else if (sheet.status === 'failed') {
        this.recordSheet(Number(key), { status: 'pending', retries: 0, completionAttempts: 0, rateLimitWaits: 0, quotaWaits: 0, healingAttempts: null });
      }
    }
  }

  /** What a sheet waits for: its declared dependencies, or (run in order) the sheet before it. */
  private prerequisites(sheet: PlannedSheet): number[] {
    const { plan, score } = this.options;
    if (plan.hasDependencies || score.parallel.enabled) return sheet.dependsOn;
    return sheet.num > 1 ? [sheet.num - 1] : [];
  }

  /**
   * Builds the ready queue: each pending sheet counts its unfinished prerequisites, and enters the
   * queue when the count reaches zero (see {@link sheetFinished}). O(sheets + edges) per job run,
   * so scheduling cost stays flat however large the job is.
   */
  private initScheduling(): void {
    const isDone = (num: number) => {
      const status = this.state.sheets[String(num)]?.status;
      return status === 'completed' || status === 'skipped';
    };
    for (const sheet of this.options.plan.sheets) {
      const unmet = this.prerequisites(sheet).filter((dep) => !isDone(dep));
      for (const dep of unmet) {
        const list = this.dependents.get(dep) ?? [];
        list.push(sheet.num);
        this.dependents.set(dep, list);
      }
      this.unmet.set(sheet.num, unmet.length);
      if (unmet.length === 0 && this.state.sheets[String(sheet.num)]?.status === 'pending') this.ready.push(sheet.num);
    }
  }

  /** A sheet completed or was skipped: release the sheets waiting on it. */
  private sheetFinished(num: number): void {
    for (const dependent of this.dependents.get(num) ?? []) {
      const left = (this.unmet.get(dependent) ?? 1) - 1;
      this.unmet.set(dependent, left);
      if (left === 0) this.ready.push(dependent);
    }
  }


  private finish(): JobState {
    const sheets = Object.values(this.state.sheets);
    let status: JobStatus;
    let error: { code: string; message: string } | null = null;
    if (this.stopMode === 'cancel') status = 'cancelled';
    else if (this.costStop) {
      status = 'failed';
      error = this.costStop;
    } else if (sheets.every((s) => s.status === 'completed' || s.status === 'skipped')) status = 'completed';
    else if (this.stopMode === 'pause' && !sheets.some((s) => s.status === 'failed')) status = 'paused';
    else {
      status = 'failed';
      const failed = Object.entries(this.state.sheets).find(([, s]) => s.status === 'failed');
      error = failed
        ? { code: failed[1].lastError?.code ?? 'E999', message: `Sheet ${failed[0]} failed: ${failed[1].lastError?.message ?? 'unknown error'}` }
        : { code: 'E999', message: 'Some sheets could not run because a sheet they depend on did not complete.' };
    }
    this.recordJob(status, error);
    if (status === 'failed' && error) this.emit({ type: 'job.failed', code: error.code, message: error.message });
    else this.emit({ type: `job.${status}` as 'job.completed' | 'job.paused' | 'job.cancelled' });
    return this.state;
  }

  /** Runs one sheet until it completes, is skipped, fails, or the job stops. */
  private async runSheet(sheet: PlannedSheet): Promise<void> {
    const { score, plan, workspace, scoreFile } = this.options;
    const values = sheetValues(sheet, plan, workspace);
    const skip = await this.skipReason(sheet.num, values);
    if (skip) {
      const at = new Date().toISOString();
      this.recordSheet(sheet.num, { status: 'skipped', skipReason: skip, finishedAt: at });
      this.emit({ type: 'sheet.skipped', sheet: sheet.num, reason: skip });
      return;
    }
    const cwd = this.worktree?.path ?? this.checkoutDir();
    const timeoutSeconds = score.backend.sheet_overrides[String(sheet.num)]?.timeout_seconds ?? score.backend.timeout_overrides[String(sheet.num)] ?? score.backend.timeout_seconds;
    let mode: 'normal' | 'completion' = 'normal';
    let lastResults: Awaited<ReturnType<typeof runValidations>>['results'] = [];
    let basePrompt: string | undefined;
    // learning: the sheet's rules and the guidance chosen for its prompt; codes of its failed attempts.
    const learning = this.learning;
    const learnedRules = learning ? sheetRules(learning, score, (rule) => conditionHolds(rule.condition, values), values) : undefined;
    let guidance: ReturnType<typeof safeGuidance>;
    let extensionCount = 0;
    const priorCodes: string[] = [];

    while (!this.stopMode || this.stopMode === 'cost') {
      if (this.stopMode === 'cost') return;
      // A copy: the checkpoint's object changes as records are applied during this attempt.
      const current = { ...(this.state.sheets[String(sheet.num)] ?? newSheet()) };
      let prompt: string;
      try {
        if (basePrompt === undefined) {
          const body = renderSheetBody(score, scoreFile, values, this.crossSheetContext(sheet.num));
          guidance = learning && learnedRules ? safeGuidance(learning, () => guidanceRequest(learning, score, sheet, learnedRules)) : undefined;
          const requirements = [requirementsSection(score, values), guidance?.section ?? ''].filter((part) => part !== '').join('\n\n');
          const extensions = sheetExtensions(score, scoreFile, sheet.num);
          extensionCount = extensions.length;
          basePrompt = sheetPrompt(body, requirements, extensions);
        }
        prompt = mode === 'completion' ? completionPrompt(basePrompt, lastResults, current.completionAttempts, score.retry.max_completion_attempts) : basePrompt;
      } catch (error) {
        const message = error instanceof TemplateRenderError ? `The prompt template cannot be rendered (${error.message}).` : `The prompt cannot be built: ${(error as Error).message}`;
        const err: ClassifiedError = { code: 'E304', category: 'configuration', message, retryable: false };
        this.failSheet(sheet.num, { ...err, message: message + this.tryHealing(sheet.num, err, [], cwd, current).note }, current.attempts);
        return;
      }

      await this.circuitGate();
      await this.sharedRateLimitGate(sheet.num);
      if (this.stopMode) return;
      if ((await this.checkpointGate(sheet.num, prompt, current)) !== 'go') return;
      if (!existsSync(cwd)) {
        // Preflight: spawning in a missing folder fails with a misleading "not found" for the shell.
        const where = this.worktree ? `The job's git worktree ${cwd} no longer exists; resume re-creates it from its branch.` : `The agent's working directory ${cwd} does not exist (backend.working_directory). Create it or correct the path, then resume.`;
        const err: ClassifiedError = { code: 'E603', category: 'preflight', message: where, retryable: false };
        const healing = this.tryHealing(sheet.num, err, [], cwd, current);
        if (healing.healed) continue;
        this.failSheet(sheet.num, { ...err, message: err.message + healing.note }, current.attempts);
        return;
      }
      const attempt = current.attempts + 1;
      const startedAt = new Date();
      const promptPath = promptFile(workspace, sheet.num);
      mkdirSync(dirname(promptPath), { recursive: true });
      writeFileSync(promptPath, prompt);
      this.recordSheet(sheet.num, { status: 'in_progress', attempts: attempt, startedAt: startedAt.toISOString(), waitingUntil: null, waitReason: null });
      this.emit({ type: 'sheet.started', sheet: sheet.num, attempt, mode });

      const before = await snapshotModifiedTargets(score.validations, { workspace, values });
      const logFile = sheetLogFile(workspace, sheet.num);
      appendFileSync(logFile, `\n=== attempt ${attempt} (${mode}) ${startedAt.toISOString()} ===\n`);
      const result = await this.options.backend.execute(
        {
          prompt,
          sheetNum: sheet.num,
          workspace,
          cwd,
          timeoutMs: timeoutSeconds * 1000,
          captureBytes: score.backend.max_output_capture_bytes,
          promptFile: promptPath,
          ...(score.stale_detection.enabled ? { idleTimeoutMs: score.stale_detection.idle_timeout_seconds * 1000 } : {}),
          onSpawn: (pid) => {
            const startTime = processStartTime(pid);
            try {
              if (startTime) this.recordSheet(sheet.num, { agent: { pid, startTime } });
            } catch {
              /* the save failure has aborted the attempt; the backend stops this agent */
            }
          },
          onOutput: (stream, text) => {
            try {
              appendFileSync(logFile, text);
            } catch {
              /* a full disk costs the log file, not the attempt: the output still streams and its tail is kept */
            }
            this.emit({ type: 'sheet.output', sheet: sheet.num, stream, text });
          },
        },
        this.abort.signal,
      );
      if (result.cancelled && (this.stopMode === 'cancel' || this.stopMode === 'pause')) {
        // Interrupted, not failed: the sheet runs again on resume.
        this.recordSheet(sheet.num, { status: 'pending', attempts: current.attempts, agent: null });
        return;
      }

      const checked = await runValidations(score.validations, { workspace, values, before, signal: this.abort.signal });
      // No rule applies to this sheet: the agent's own verdict is all there is, so a failed run (an
      // API error, a crash, a rate limit) is not "done".
      const outcome = checked.applicable === 0 && agentFailed(result) ? { ...checked, allPassed: false, percent: 0 } : checked;
      lastResults = outcome.results;
      for (const rule of outcome.results) {
        if (rule.status === 'passed' || rule.status === 'failed') {
          this.emit({ type: rule.status === 'passed' ? 'sheet.validation_passed' : 'sheet.validation_failed', sheet: sheet.num, rule: { ...rule } });
        }
      }
      const cost = this.attemptCost(result);
      const common: SheetPatch = {
        agent: null,
        exitCode: result.exitCode,
        durationMs: Math.round(result.durationMs),
        stdoutTail: result.stdout,
        stderrTail: result.stderr,
        inputTokens: current.inputTokens + (result.inputTokens ?? 0),
        outputTokens: current.outputTokens + (result.outputTokens ?? 0),
        validations: outcome.results.map(({ index, type, description, stage, status, message }) => ({ index, type, description, stage, status, message })),
      };

      const classified = outcome.allPassed ? undefined : classifyFailure(result, outcome, this.rateLimitPatterns);
      // Rate limits are waited out, not counted against the backend's health.
      if (!classified) this.consecutiveFailures = 0;
      else if (!classified.wait) this.consecutiveFailures++;
      const costError = this.checkCost(sheet.num, cost);
      const decision = costError ? ({ kind: 'fail', code: costError.code, reason: costError.message } as const) : decide(outcome, classified, current, score);
      const at = new Date().toISOString();
      const errorRecord = (code: string, category: string, message: string): ErrorRecord => ({ code, category, message, attempt, at });
      // learning: this attempt's outcome (identities, verdicts and codes; never the prompt or output).
      safeRecord(learning, () => ({
        sheet,
        attempt,
        mode,
        retries: current.retries,
        prompt,
        extensions: extensionCount,
        ...(guidance ? { guidance } : {}),
        ruleKeys: learnedRules?.keys ?? new Map<number, string>(),
        verdicts: outcome.results,
        passed: outcome.allPassed,
        ...(decision.kind === 'fail' ? { error: { code: decision.code, category: classified?.category ?? 'cost' } } : classified ? { error: { code: classified.code, category: classified.category } } : {}),
        priorCodes,
        decision: decision.kind,
        durationMs: result.durationMs,
        costUsd: cost,
        at: Date.now(),
      }));
      if (classified) priorCodes.push(classified.code);

      switch (decision.kind) {
        case 'complete':
          this.recordSheet(sheet.num, { ...common, status: 'completed', finishedAt: at }, undefined, cost);
          this.emit({ type: 'sheet.completed', sheet: sheet.num, attempts: attempt, durationMs: Math.round(result.durationMs), costUsd: (current.costUsd ?? 0) + cost });
          this.emitCost(cost);
          return;
        case 'fail': {
          const category = classified?.category ?? 'cost';
          // Cost limits are a decision, not a fault: nothing to heal.
          const healing = classified && !costError ? this.tryHealing(sheet.num, { ...classified, code: decision.code }, outcome.results, cwd, current) : { healed: false, note: '' };
          if (healing.healed) {
            this.recordSheet(sheet.num, { ...common, status: 'pending', retries: 0, completionAttempts: 0 }, errorRecord(decision.code, category, decision.reason), cost);
            this.emitCost(cost);
            mode = 'normal';
            break;
          }
          const reason = decision.reason + healing.note;
          this.recordSheet(sheet.num, { ...common, status: 'failed', finishedAt: at }, errorRecord(decision.code, category, reason), cost);
          this.emitCost(cost);
          this.anyFailed = true;
          this.emit({ type: 'sheet.failed', sheet: sheet.num, code: decision.code, message: reason });
          return;
        }
        case 'completion': {
          const err = classified as ClassifiedError;
          this.recordSheet(sheet.num, { ...common, status: 'pending', completionAttempts: current.completionAttempts + 1 }, errorRecord(err.code, err.category, err.message), cost);
          this.emitCost(cost);
          this.emit({ type: 'sheet.completion', sheet: sheet.num, delayMs: decision.delayMs, reason: decision.reason });
          mode = 'completion';
          await this.waitAsSheet(sheet.num, decision.delayMs, 'completion');
          break;
        }
        case 'retry': {
          const err = classified as ClassifiedError;
          this.recordSheet(sheet.num, { ...common, status: 'pending', retries: current.retries + 1, completionAttempts: 0 }, errorRecord(err.code, err.category, err.message), cost);
          this.emitCost(cost);
          this.emit({ type: 'sheet.retrying', sheet: sheet.num, attempt: attempt + 1, delayMs: decision.delayMs, code: err.code, reason: decision.reason });
          mode = 'normal';
          await this.waitAsSheet(sheet.num, decision.delayMs, `retry after ${err.code}`);
          break;
        }
        case 'wait': {
          const err = classified as ClassifiedError;
          const counter: SheetPatch = decision.wait === 'quota' ? { quotaWaits: current.quotaWaits + 1 } : { rateLimitWaits: current.rateLimitWaits + 1 };
          this.recordSheet(sheet.num, { ...common, ...counter, status: 'pending' }, errorRecord(err.code, err.category, err.message), cost);
          this.emitCost(cost);
          const until = Date.now() + decision.delayMs * this.timeScale;
          if (decision.wait === 'rate_limit') this.options.rateLimits?.report(rateLimitKey(score), until);
          this.emit({ type: 'sheet.waiting', sheet: sheet.num, wait: decision.wait, until, reason: decision.reason });
          await this.waitAsSheet(sheet.num, decision.delayMs, decision.wait === 'quota' ? 'usage quota exhausted' : 'rate limited');
          break;
        }
      }
    }
  }

  /** Holds an attempt while another job on the same backend waits out a rate limit (no retry spent). */
  private async sharedRateLimitGate(num: number): Promise<void> {
    const until = this.options.rateLimits?.until(rateLimitKey(this.options.score)) ?? 0;
    const remaining = until - Date.now();
    if (remaining <= 0 || this.stopMode) return;
    this.emit({ type: 'sheet.waiting', sheet: num, wait: 'rate_limit', until, reason: 'Another job on the same backend was rate limited; waiting with it.' });
    await this.waitAsSheet(num, remaining / this.timeScale, 'rate limited (shared with another job)');
  }

  /**
   * With --self-healing: looks for a known cause of a failure about to become final. A remedy
   * carried out gives the sheet a fresh retry budget (the caller retries); otherwise the note says
   * what healing found, for the failure's message. At most MAX_HEALING_ATTEMPTS passes per sheet.
   */
  private tryHealing(num: number, error: ClassifiedError, rules: readonly RuleResult[], cwd: string, current: SheetState): { healed: boolean; note: string } {
    const options = this.options.selfHealing;
    if (!options) return { healed: false, note: '' };
    const used = current.healingAttempts ?? 0;
    if (used >= MAX_HEALING_ATTEMPTS) return { healed: false, note: ` Self-healing already ran ${used} times on this sheet.` };
    const { score, scoreFile, workspace } = this.options;
    const report = heal(findRemedies({ error, rules, score, scoreFile, workspace, cwd }), options.autoConfirm);
    this.recordSheet(num, { healingAttempts: used + 1 });
    this.emit({ type: 'sheet.healing', sheet: num, code: error.code, ...report });
    const open = [...report.skipped, ...report.diagnostics].map((r) => r.message);
    if (report.applied.length > 0) return { healed: true, note: '' };
    return { healed: false, note: open.length > 0 ? ` Self-healing: ${open.join(' ')}` : ' Self-healing found no remedy.' };
  }

  /** Waits (scaled), recording the wait on the sheet so status shows it; cut short by pause/cancel. */
  /** Approves or skips a sheet waiting at a proactive checkpoint; false when it is not waiting. */
  approve(sheetNum: number, decision: 'proceed' | 'skip'): boolean {
    return this.approvals.decide(sheetNum, decision);
  }

  /** Sheets waiting at a proactive checkpoint now. */
  awaitingApproval(): number[] {
    return this.approvals.sheets();
  }

  /** The score's proactive checkpoints before an attempt: go on, skipped by a person, or stopped (pause, cancel). */
  private async checkpointGate(num: number, prompt: string, current: SheetState): Promise<'go' | 'skipped' | 'stopped'> {
    const step = approvalStep(this.options.score.checkpoints, num, prompt, current);
    if (step.kind === 'none') return 'go';
    if (step.kind === 'warn') {
      this.emit({ type: 'sheet.checkpoint_warning', sheet: num, trigger: step.trigger.name, message: approvalMessage(step.trigger, num) });
      return 'go';
    }
    let decision = step.kind === 'decided' ? step.decision : undefined;
    let trigger = current.approval?.trigger ?? '';
    if (step.kind === 'ask') {
      trigger = step.trigger.name;
      const asked = { trigger, message: approvalMessage(step.trigger, num), attempt: current.attempts + 1, since: new Date().toISOString() };
      this.recordSheet(num, { approval: asked, waitReason: `awaiting approval: ${asked.message}` });
      this.emit({ type: 'sheet.approval_needed', sheet: num, attempt: asked.attempt, trigger, message: asked.message });
      decision = await this.approvals.wait(num, this.abortWaits.signal);
      // Paused or cancelled while waiting: the wait stays on record and is asked again on resume.
      if (!decision) return 'stopped';
      this.recordSheet(num, { approval: { ...asked, decision }, waitReason: null });
      this.emit({ type: 'sheet.approved', sheet: num, decision });
    }
    if (decision !== 'skip') return 'go';
    const reason = `skipped at checkpoint '${trigger}' by a person (mozart approve --skip)`;
    this.recordSheet(num, { status: 'skipped', skipReason: reason, finishedAt: new Date().toISOString() });
    this.emit({ type: 'sheet.skipped', sheet: num, reason });
    return 'skipped';
  }

  private async waitAsSheet(num: number, delayMs: number, reason: string): Promise<void> {
    const until = Date.now() + delayMs * this.timeScale;
    this.recordSheet(num, { waitingUntil: until, waitReason: reason });
    await this.wait(delayMs);
    this.recordSheet(num, { waitingUntil: null, waitReason: null });
  }

  private async wait(delayMs: number): Promise<void> {
    try {
      await sleep(delayMs * this.timeScale, undefined, { signal: this.abortWaits.signal });
    } catch {
      /* cut short by pause or cancel */
    }
  }

  /**
   * skip_when first (a condition over the checkpoint; one that cannot be evaluated skips, as in the
   * original), then skip_when_command: exit 0 skips; any failure to decide lets the sheet run.
   */
  private async skipReason(num: number, values: ReturnType<typeof sheetValues>): Promise<string | undefined> {
    const byCondition = skipWhenReason(this.options.score.sheet.skip_when[String(num)], this.state);
    if (byCondition) return byCondition;
    const rule = this.options.score.sheet.skip_when_command[String(num)];
    if (!rule) return undefined;
    const command = expandPlaceholders(rule.command, values);
    const result = await runProcess({
      command: '/bin/sh',
      args: ['-c', command],
      cwd: this.options.workspace,
      env: process.env,
      timeoutMs: rule.timeout_seconds * 1000,
      captureBytes: 1024,
    });
    if (result.exitCode === 0 && !result.timedOut) return rule.description ?? `skip_when_command exited 0: ${command}`;
    return undefined;
  }

  /** previous_outputs / previous_files for a sheet, when cross_sheet is configured. */
  private crossSheetContext(num: number): CrossSheetContext {
    const config = this.options.score.cross_sheet;
    const context: CrossSheetContext = { previous_outputs: {}, previous_files: {} };
    if (!config) return context;
    const earlier = Object.entries(this.state.sheets)
      .map(([key, s]) => [Number(key), s] as const)
      .filter(([key, s]) => key < num && s.status === 'completed')
      .sort((a, b) => a[0] - b[0]);
    const window = config.lookback_sheets > 0 ? earlier.slice(-config.lookback_sheets) : earlier;
    if (config.auto_capture_stdout) {
      for (const [key, s] of window) context.previous_outputs[String(key)] = (s.stdoutTail ?? '').slice(-config.max_output_chars);
    }
    for (const pattern of config.capture_files) {
      const path = resolveFromScore(join(this.options.workspace, 'x'), expandPlaceholders(pattern, { workspace: this.options.workspace }));
      try {
        context.previous_files[path] = readFileSync(path, 'utf8').slice(0, config.max_output_chars);
      } catch {
        /* not there yet */
      }
    }
    return context;
  }

  private attemptCost(result: AgentResult): number {
    if (typeof result.costUsd === 'number') return result.costUsd;
    const limits = this.options.score.cost_limits;
    return ((result.inputTokens ?? 0) / 1000) * limits.cost_per_1k_input_tokens + ((result.outputTokens ?? 0) / 1000) * limits.cost_per_1k_output_tokens;
  }

  /** Enforces cost_limits; a job-level breach stops the whole job (state kept). */
  private checkCost(num: number, cost: number): { code: string; message: string } | undefined {
    const limits = this.options.score.cost_limits;
    if (!limits.enabled) return undefined;
    for (const warning of costWarnings(limits, num, this.state.sheets[String(num)]?.costUsd ?? 0, this.state.costUsd, cost)) this.emit({ type: 'job.cost_warning', ...warning });
    const sheetCost = (this.state.sheets[String(num)]?.costUsd ?? 0) + cost;
    if (limits.max_cost_per_sheet != null && sheetCost > limits.max_cost_per_sheet) {
      return { code: 'E701', message: `Sheet ${num} cost $${sheetCost.toFixed(4)}, over cost_limits.max_cost_per_sheet ($${limits.max_cost_per_sheet}).` };
    }
    const jobCost = this.state.costUsd + cost;
    if (limits.max_cost_per_job != null && jobCost > limits.max_cost_per_job) {
      this.costStop = { code: 'E701', message: `The job cost $${jobCost.toFixed(4)}, over cost_limits.max_cost_per_job ($${limits.max_cost_per_job}). Raise the limit and resume to continue.` };
      this.stopMode = 'cost';
      return this.costStop;
    }
    return undefined;
  }

  private failSheet(num: number, error: ClassifiedError, attempt: number): void {
    const at = new Date().toISOString();
    this.recordSheet(num, { status: 'failed', finishedAt: at }, { code: error.code, category: error.category, message: error.message, attempt, at });
    this.anyFailed = true;
    this.emit({ type: 'sheet.failed', sheet: num, code: error.code, message: error.message });
  }

  private emitCost(cost: number): void {
    if (cost > 0) this.emit({ type: 'job.cost_update', costUsd: this.state.costUsd });
  }

  private recordSheet(num: number, patch: SheetPatch, error?: ErrorRecord, addCostUsd?: number): void {
    // Outcomes (a sheet done, failed or skipped, an error, money spent) must survive a power loss.
    // "Started", "agent pid", "waiting until" need not: after a power loss the agent is gone and
    // the sheet, still pending on disk, simply runs again — and a process crash loses nothing,
    // as every record reaches the kernel before the next step.
    const outcome = patch.status === 'completed' || patch.status === 'failed' || patch.status === 'skipped' || error !== undefined || (addCostUsd ?? 0) > 0;
    this.save({ t: 'sheet', at: new Date().toISOString(), num, patch, ...(error ? { error } : {}), ...(addCostUsd ? { addCostUsd } : {}) }, { sync: outcome });
  }

  private recordJob(status: JobStatus, error: { code: string; message: string } | null): void {
    this.save({ t: 'job', at: new Date().toISOString(), status, error });
  }

  /**
   * Appends to the checkpoint. When that fails (a full disk, a read-only folder) the job cannot go
   * on without losing track of its work: running agents are stopped, nothing new starts, and the
   * error reaches whoever runs the job. Everything saved before stays as it was.
   */
  private save(record: JobRecord, options?: { sync?: boolean }): void {
    try {
      this.options.store.append(record, options);
    } catch (error) {
      if (!this.saveError) {
        this.saveError = new CheckpointSaveError(error as Error);
        this.stopMode = 'cancel';
        this.abortWaits.abort();
        this.abort.abort();
      }
      throw this.saveError;
    }
  }

  private emit(event: DistributiveOmit<RunnerEvent, 'jobId' | 'at'>): void {
    const full = { ...event, jobId: this.options.jobId, at: new Date().toISOString() } as RunnerEvent;
    if (full.type !== 'sheet.output') {
      try {
        appendFileSync(eventLogFile(this.options.workspace), JSON.stringify(full) + '\n');
      } catch {
        /* the event log is best effort; the checkpoint is what must not be lost */
      }
    }
    this.options.onEvent?.(full);
  }
}

/** The agent itself reported failure: exit code, signal, timeout, an API error, or never started. */
function agentFailed(result: AgentResult): boolean {
  return result.exitCode !== 0 || result.signal !== null || result.timedOut || result.stalled === true || result.isError === true || result.startError !== undefined;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A min-heap of sheet numbers: ready sheets start lowest number first. */
class MinQueue {
  private readonly heap: number[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(value: number): void {
    const h = this.heap;
    h.push(value);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as number) <= value) break;
      h[i] = h[parent] as number;
      h[parent] = value;
      i = parent;
    }
  }

  pop(): number | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && (h[l] as number) < (h[m] as number)) m = l;
      if (r < h.length && (h[r] as number) < (h[m] as number)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as number, h[i] as number];
      i = m;
    }
    return top;
  }
}
