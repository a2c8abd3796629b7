// Proactive checkpoints (the score's `checkpoints`): before an attempt of a sheet that a trigger
// matches, the job either notes a warning and goes on, or waits for a person to say "proceed" or
// "skip" (`mozart approve`, or the Approve / Skip action in VS Code). The wait is written to the
// checkpoint (the sheet's `approval`), so a conductor that restarts finds the job still waiting, and
// a decision given before a crash is not asked for again.

import type { SheetState } from '../../../protocol/src/job-state.js';
import type { Score } from '../../../score/src/score-types.js';
import type { JobContext } from './job-context.js';

export type CheckpointTrigger = Score['checkpoints']['triggers'][number];

/** The first trigger that matches this attempt, as in the original: every condition given must hold. */
export function matchTrigger(config: Score['checkpoints'], sheetNum: number, prompt: string, retries: number): CheckpointTrigger | undefined {
  if (!config.enabled) return undefined;
  const lower = prompt.toLowerCase();
  for (const trigger of config.triggers) {
    if (trigger.sheet_nums != null && !trigger.sheet_nums.includes(sheetNum)) continue;
    if (trigger.prompt_contains != null && !trigger.prompt_contains.some((word) => lower.includes(word.toLowerCase()))) continue;
    if (trigger.min_retry_count != null && retries < trigger.min_retry_count) continue;
    return trigger;
  }
  return undefined;
}

/** What the runner does about a checkpoint before an attempt. */
export type ApprovalStep =
  | { kind: 'none' }
  /** A warning-only trigger: say so and go on. */
  | { kind: 'warn'; trigger: CheckpointTrigger }
  /** A decision for this attempt is already on record (given before a restart). */
  | { kind: 'decided'; decision: 'proceed' | 'skip' }
  /** Wait for a person. */
  | { kind: 'ask'; trigger: CheckpointTrigger };

/** Decides the checkpoint step for the attempt about to start (pure). */
export function approvalStep(config: Score['checkpoints'], sheetNum: number, prompt: string, sheet: SheetState): ApprovalStep {
  const trigger = matchTrigger(config, sheetNum, prompt, sheet.retries);
  if (!trigger) return { kind: 'none' };
  if (!trigger.requires_confirmation) return { kind: 'warn', trigger };
  // A decision stands for the rest of the sheet's run, except that a trigger on the retry count
  // asks again at each retry it matches.
  const recorded = sheet.approval;
  const applies = recorded?.decision !== undefined && recorded.trigger === trigger.name && (trigger.min_retry_count == null || recorded.attempt === sheet.attempts + 1);
  if (recorded?.decision && applies) return { kind: 'decided', decision: recorded.decision };
  return { kind: 'ask', trigger };
}

/** The text a person sees when a trigger stops a sheet. */
export function approvalMessage(trigger: CheckpointTrigger, sheetNum: number): string {
  const why = trigger.message.trim() || `checkpoint '${trigger.name}' asks for confirmation before sheet ${sheetNum}`;
  return why;
}

/**
 * Waiting sheets of one job and the decisions that end their waits. `decide` answers whether a sheet
 * was waiting; a wait ends with undefined when the job is paused or cancelled.
 */
export class ApprovalWaits {
  private readonly waiting = new Map<number, (decision: 'proceed' | 'skip' | undefined) => void>();

  wait(sheetNum: number, signal: AbortSignal): Promise<'proceed' | 'skip' | undefined> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve(undefined);
      const done = (decision: 'proceed' | 'skip' | undefined) => {
        this.waiting.delete(sheetNum);
        signal.removeEventListener('abort', onAbort);
        resolve(decision);
      };
      const onAbort = () => done(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(sheetNum, done);
    });
  }

  /** The sheets waiting now, lowest first. */
  sheets(): number[] {
    return [...this.waiting.keys()].sort((a, b) => a - b);
  }

  decide(sheetNum: number, decision: 'proceed' | 'skip'): boolean {
    const done = this.waiting.get(sheetNum);
    if (!done) return false;
    done(decision);
    return true;
  }
}

/**
 * Carries out the checkpoint step before an attempt: go on, skipped by a person, or stopped (pause
 * or cancel while waiting: the wait stays on record and is asked again on resume).
 */
export async function checkpointGate(job: JobContext, num: number, prompt: string, current: SheetState): Promise<'go' | 'skipped' | 'stopped'> {
  const step = approvalStep(job.options.score.checkpoints, num, prompt, current);
  if (step.kind === 'none') return 'go';
  if (step.kind === 'warn') {
    job.emit({ type: 'sheet.checkpoint_warning', sheet: num, trigger: step.trigger.name, message: approvalMessage(step.trigger, num) });
    return 'go';
  }
  let decision = step.kind === 'decided' ? step.decision : undefined;
  let trigger = current.approval?.trigger ?? '';
  if (step.kind === 'ask') {
    trigger = step.trigger.name;
    const asked = { trigger, message: approvalMessage(step.trigger, num), attempt: current.attempts + 1, since: new Date().toISOString() };
    job.recordSheet(num, { approval: asked, waitReason: `awaiting approval: ${asked.message}` });
    job.emit({ type: 'sheet.approval_needed', sheet: num, attempt: asked.attempt, trigger, message: asked.message });
    decision = await job.approvals.wait(num, job.abortWaits.signal);
    // The wait goes on the sheet's timeline as it was; one cut short by pause or cancel is asked again on resume.
    const start = Date.parse(asked.since);
    const span = { kind: 'wait', wait: 'approval', start, end: Math.max(start, Date.now()) } as const;
    if (!decision) {
      job.recordSheet(num, {}, undefined, undefined, span);
      return 'stopped';
    }
    job.recordSheet(num, { approval: { ...asked, decision }, waitReason: null }, undefined, undefined, span);
    job.emit({ type: 'sheet.approved', sheet: num, decision });
  }
  if (decision !== 'skip') return 'go';
  const reason = `skipped at checkpoint '${trigger}' by a person (mozart approve --skip)`;
  job.recordSheet(num, { status: 'skipped', skipReason: reason, finishedAt: new Date().toISOString() });
  job.emit({ type: 'sheet.skipped', sheet: num, reason });
  return 'skipped';
}
