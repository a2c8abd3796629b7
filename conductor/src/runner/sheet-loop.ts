// One sheet's attempt loop, read top to bottom: gather the facts, gate() says whether an attempt
// may start, the attempt produces an outcome, decide() says what it means, and apply carries the
// verdict out (checkpoint records, events, waits, healing). Nothing here decides.
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { processStartTime } from '../backends/process.js';
import type { PlannedSheet } from '../../../score/src/plan.js';
import type { AttemptEnd, ErrorRecord, SheetPatch, SheetSpan, SheetState } from '../../../protocol/src/job-state.js';
import { newSheet } from '../../../protocol/src/job-state.js';
import { localDateTime } from '../../../protocol/src/time-text.js';
import { promptFile, sheetLogFile } from '../state/workspace-files.js';
import { checkpointGate } from './approval.js';
import { AttemptLog } from './attempt-log.js';
import { runAttempt } from './attempt.js';
import type { AttemptOutcome } from './attempt.js';
import { decide, gate } from './decide.js';
import type { Gate, Verdict } from './decide.js';
import type { JobContext } from './job-context.js';
import { rateLimitKey } from './job-setup.js';
import { sheetValues } from './prompt.js';
import { attemptCost, crossSheetContext, SheetPrompt, sheetTimeoutSeconds, skipReason } from './sheet-inputs.js';
import type { RuleResult } from './validations.js';
import { safeRecord } from '../learning/runner-bridge.js';
import { resolveFromScore } from '../../../score/src/files.js';

type Mode = 'normal' | 'completion';

/** Runs one sheet until it completes, is skipped, fails, or the job stops. */
export async function runSheet(job: JobContext, sheet: PlannedSheet): Promise<void> {
  const { score, plan, workspace, scoreFile } = job.options;
  const values = sheetValues(sheet, plan, workspace);
  const skip = await skipReason(score, workspace, sheet.num, values, job.state);
  if (skip) {
    job.recordSheet(sheet.num, { status: 'skipped', skipReason: skip, finishedAt: new Date().toISOString() });
    job.emit({ type: 'sheet.skipped', sheet: sheet.num, reason: skip });
    return;
  }
  const cwd = job.worktree?.path ?? checkoutDir(job);
  const prompts = new SheetPrompt(score, scoreFile, sheet, values, job.learning);
  const loop: LoopState = { mode: 'normal', lastResults: [], priorCodes: [] };

  for (;;) {
    // A copy: the checkpoint's object changes as records are applied during this attempt.
    const current = { ...(job.sheet(sheet.num) ?? newSheet()) };
    const prompt = prompts.build(loop.mode, loop.lastResults, current.completionAttempts, () => crossSheetContext(score, workspace, sheet.num, job.state), existsSync);
    const before = gate(
      {
        stopping: job.stopMode !== undefined,
        prompt,
        consecutiveFailures: job.consecutiveFailures,
        sharedRateLimitUntil: job.options.rateLimits?.until(rateLimitKey(score)) ?? 0,
        now: job.clock.now(),
        cwd: { path: cwd, exists: existsSync(cwd), worktree: job.worktree !== undefined },
        extraArgs: score.backend.cli_extra_args,
        exists: existsSync,
      },
      score,
    );
    if (before.kind === 'stop') return;
    if (before.kind !== 'run') {
      if (await applyGate(job, sheet.num, before, cwd, current)) continue;
      return;
    }
    const text = prompt as string;
    // A proactive checkpoint may hold the attempt for a person (or let them skip the sheet).
    if ((await checkpointGate(job, sheet.num, text, current)) !== 'go') return;
    if (job.stopMode !== undefined) return;
    const attempt = startAttempt(job, sheet.num, current, loop.mode, text, before.warning);
    // A log the disk refuses stops the job at once, its agents with it (E403, as for a checkpoint).
    const log = new AttemptLog(attempt.logFile, () => job.stopNow('cancel'));
    let outcome: AttemptOutcome;
    try {
      outcome = await runAttempt({
        backend: job.options.backend, score, sheet: sheet.num, values, prompt: text, promptFile: attempt.promptPath, workspace, cwd,
        timeoutSeconds: sheetTimeoutSeconds(score, sheet.num),
        signal: job.abort.signal,
        onSpawn: (pid) => recordAgent(job, sheet.num, pid),
        onOutput: (stream, chunk) => {
          log.append(chunk);
          job.emit({ type: 'sheet.output', sheet: sheet.num, stream, text: chunk });
        },
      });
    } finally {
      log.close();
    }
    // Not recorded: the sheet stays in progress, and resume checks its validations before running it.
    if (log.refused) throw log.refused;
    const cost = attemptCost(score, outcome.result);
    const now = job.sheet(sheet.num);
    const verdict = decide(
      { sheet: sheet.num, result: outcome.result, checked: outcome.checked, counters: current, spent: { sheet: now?.costUsd ?? 0, job: job.state.costUsd }, cost, rateLimitPatterns: job.rateLimitPatterns, stopping: job.stopMode === 'cancel' || job.stopMode === 'pause' },
      score,
    );
    const next = await applyVerdict(job, { num: sheet.num, attempt: attempt.number, startMs: attempt.startMs, current, outcome, verdict, cost, cwd, prompts, loop, prompt: text });
    if (next === 'done') return;
  }
}

/** What the loop carries from one attempt to the next. */
interface LoopState {
  mode: Mode;
  lastResults: readonly RuleResult[];
  /** Codes of the sheet's failed attempts so far (for learning). */
  priorCodes: string[];
}

/** Where agents run without isolation: backend.working_directory, else the score's folder. */
export function checkoutDir(job: JobContext): string {
  const { score, scoreFile } = job.options;
  return resolveFromScore(scoreFile, score.backend.working_directory ?? '.');
}

/** Carries out a gate that holds the attempt back. True: try again; false: the sheet is done with. */
async function applyGate(job: JobContext, num: number, before: Exclude<Gate, { kind: 'run' | 'stop' }>, cwd: string, current: SheetState): Promise<boolean> {
  switch (before.kind) {
    case 'circuit_open':
      job.emit({ type: 'job.circuit_open', failures: before.failures, untilMs: job.clock.dueAt(before.delayMs) });
      job.consecutiveFailures = before.failuresAfter; // half-open: one more failure reopens it
      await job.wait(before.delayMs);
      return true;
    case 'shared_wait':
      job.emit({ type: 'sheet.waiting', sheet: num, wait: 'rate_limit', until: before.until, reason: 'Another job on the same backend was rate limited; waiting with it.' });
      await job.waitAsSheet(num, job.clock.remaining(before.until), 'rate limited (shared with another job)', 'shared_rate_limit');
      return true;
    case 'refuse': {
      const healing = await job.tryHealing(num, before.error, [], cwd, current);
      if (healing.healed) return true;
      job.failSheet(num, { ...before.error, message: before.error.message + healing.note }, current.attempts);
      return false;
    }
  }
}

/** Records the attempt's start and saves its prompt; the sheet log gets a header. */
function startAttempt(job: JobContext, num: number, current: SheetState, mode: Mode, prompt: string, warning: string | undefined): { number: number; promptPath: string; logFile: string; startMs: number } {
  const { workspace } = job.options;
  const number = current.attempts + 1;
  const startedAt = new Date();
  const promptPath = promptFile(workspace, num);
  mkdirSync(dirname(promptPath), { recursive: true });
  writeFileSync(promptPath, prompt);
  job.recordSheet(num, { status: 'in_progress', attempts: number, startedAt: startedAt.toISOString(), waitingUntil: null, waitReason: null });
  job.emit({ type: 'sheet.started', sheet: num, attempt: number, mode });
  const logFile = sheetLogFile(workspace, num);
  appendFileSync(logFile, `\n=== attempt ${number} (${mode}) ${localDateTime(startedAt)} ===\n${warning ? `Warning: ${warning}\n` : ''}`);
  return { number, promptPath, logFile, startMs: startedAt.getTime() };
}

function recordAgent(job: JobContext, num: number, pid: number): void {
  const startTime = processStartTime(pid);
  try {
    if (startTime) job.recordSheet(num, { agent: { pid, startTime } });
  } catch {
    /* the save failure has aborted the attempt; the backend stops this agent */
  }
}

interface Applied {
  num: number;
  attempt: number;
  /** When the attempt started (epoch ms). */
  startMs: number;
  current: SheetState;
  outcome: AttemptOutcome;
  verdict: Verdict;
  cost: number;
  cwd: string;
  prompts: SheetPrompt;
  loop: LoopState;
  prompt: string;
}

/** Carries out what decide() said about an attempt. */
async function applyVerdict(job: JobContext, a: Applied): Promise<'again' | 'done'> {
  const { num, attempt, current, verdict, cost, loop } = a;
  const { next, error, outcome } = verdict;
  const { result } = a.outcome;
  const span = (end: AttemptEnd): SheetSpan => attemptSpan(a, end);
  if (next.kind === 'interrupted') {
    // Interrupted, not failed: the sheet runs again on resume.
    job.recordSheet(num, { status: 'pending', attempts: current.attempts, agent: null }, undefined, undefined, span('interrupted'));
    return 'done';
  }
  loop.lastResults = outcome.results;
  for (const rule of outcome.results) {
    if (rule.status === 'passed' || rule.status === 'failed') job.emit({ type: rule.status === 'passed' ? 'sheet.validation_passed' : 'sheet.validation_failed', sheet: num, rule: { ...rule } });
  }
  if (verdict.breaker === 'reset') job.consecutiveFailures = 0;
  else if (verdict.breaker === 'count') job.consecutiveFailures++;
  for (const warning of verdict.costWarnings) job.emit({ type: 'job.cost_warning', ...warning });
  if (verdict.stopJob) {
    job.costStop = verdict.stopJob;
    job.stopMode = 'cost';
  }
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
  const at = new Date().toISOString();
  const errorRecord = (code: string, category: string, message: string): ErrorRecord => ({ code, category, message, attempt, at });
  recordForLearning(job, a);
  if (error) loop.priorCodes.push(error.code);

  switch (next.kind) {
    case 'complete':
      job.recordSheet(num, { ...common, status: 'completed', finishedAt: at }, undefined, cost, span('completed'));
      job.emit({ type: 'sheet.completed', sheet: num, attempts: attempt, durationMs: Math.round(result.durationMs), costUsd: (current.costUsd ?? 0) + cost });
      job.emitCost(cost);
      return 'done';
    case 'fail': {
      const healing = next.heal && error ? await job.tryHealing(num, { ...error, code: next.code }, outcome.results, a.cwd, current) : { healed: false, note: '' };
      if (healing.healed) {
        job.recordSheet(num, { ...common, status: 'pending', retries: 0, completionAttempts: 0 }, errorRecord(next.code, next.category, next.reason), cost, span('healed'));
        job.emitCost(cost);
        loop.mode = 'normal';
        return 'again';
      }
      const reason = next.reason + healing.note;
      job.recordSheet(num, { ...common, status: 'failed', finishedAt: at }, errorRecord(next.code, next.category, reason), cost, span('failed'));
      job.emitCost(cost);
      job.anyFailed = true;
      job.emit({ type: 'sheet.failed', sheet: num, code: next.code, message: reason });
      return 'done';
    }
    case 'completion': {
      const err = error!;
      job.recordSheet(num, { ...common, status: 'pending', completionAttempts: current.completionAttempts + 1 }, errorRecord(err.code, err.category, err.message), cost, span('completion'));
      job.emitCost(cost);
      job.emit({ type: 'sheet.completion', sheet: num, delayMs: next.delayMs, reason: next.reason });
      loop.mode = 'completion';
      await job.waitAsSheet(num, next.delayMs, 'completion', 'completion');
      return 'again';
    }
    case 'retry': {
      const err = error!;
      job.recordSheet(num, { ...common, status: 'pending', retries: current.retries + 1, completionAttempts: 0 }, errorRecord(err.code, err.category, err.message), cost, span('retry'));
      job.emitCost(cost);
      job.emit({ type: 'sheet.retrying', sheet: num, attempt: attempt + 1, delayMs: next.delayMs, code: err.code, reason: next.reason });
      loop.mode = 'normal';
      await job.waitAsSheet(num, next.delayMs, `retry after ${err.code}`, 'retry');
      return 'again';
    }
    case 'wait': {
      const err = error!;
      const counter: SheetPatch = next.wait === 'quota' ? { quotaWaits: current.quotaWaits + 1 } : { rateLimitWaits: current.rateLimitWaits + 1 };
      job.recordSheet(num, { ...common, ...counter, status: 'pending' }, errorRecord(err.code, err.category, err.message), cost, span(next.wait === 'quota' ? 'quota' : 'rate_limit'));
      job.emitCost(cost);
      const until = job.clock.dueAt(next.delayMs);
      if (next.wait === 'rate_limit') job.options.rateLimits?.report(rateLimitKey(job.options.score), until);
      job.emit({ type: 'sheet.waiting', sheet: num, wait: next.wait, until, reason: next.reason });
      await job.waitAsSheet(num, next.delayMs, next.wait === 'quota' ? 'usage quota exhausted' : 'rate limited', next.wait === 'quota' ? 'quota' : 'rate_limit');
      return 'again';
    }
  }
}

/** The attempt as the timeline shows it: when it ran, how long its agent and validations took, how it ended. */
function attemptSpan(a: Applied, outcome: AttemptEnd): SheetSpan {
  const end = Math.max(a.startMs, Date.now());
  const mode = a.loop.mode === 'completion' ? 'completion' : a.attempt === 1 ? 'first' : 'retry';
  const agentMs = Math.min(Math.round(a.outcome.result.durationMs), end - a.startMs);
  return { kind: 'attempt', attempt: a.attempt, mode, start: a.startMs, end, agentMs, validationMs: a.outcome.validationMs, outcome, costUsd: a.cost };
}

/** learning: this attempt's outcome (identities, verdicts and codes; never the prompt or output). */
function recordForLearning(job: JobContext, a: Applied): void {
  const { verdict, current, loop, prompts } = a;
  const { next, error } = verdict;
  safeRecord(job.learning, () => ({
    sheet: job.options.plan.sheets[a.num - 1] as PlannedSheet,
    attempt: a.attempt,
    mode: loop.mode,
    retries: current.retries,
    prompt: a.prompt,
    extensions: prompts.extensionCount,
    ...(prompts.guidance ? { guidance: prompts.guidance } : {}),
    ruleKeys: prompts.learnedRules?.keys ?? new Map<number, string>(),
    verdicts: verdict.outcome.results,
    passed: verdict.outcome.allPassed,
    ...(next.kind === 'fail' ? { error: { code: next.code, category: error?.category ?? 'cost' } } : error ? { error: { code: error.code, category: error.category } } : {}),
    priorCodes: [...loop.priorCodes],
    decision: next.kind as Exclude<typeof next.kind, 'interrupted'>,
    durationMs: a.outcome.result.durationMs,
    costUsd: a.cost,
    at: Date.now(),
  }));
}
