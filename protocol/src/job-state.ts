// A job's checkpoint: its status, every sheet's status and counters, cost, and the errors seen.
// Changes are journal records applied by `applyJobRecord`; a change touches one sheet, so saving
// it costs the same whatever the job's size.

/** The kinds of validation rule a score can declare (the score schema's `validations[].type`). */
export type ValidationRuleType = 'file_exists' | 'file_modified' | 'content_contains' | 'content_regex' | 'command_succeeds';

export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'paused' | 'cancelled';
export type SheetStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'skipped';

/** One error seen on a sheet, kept for `errors` and `diagnose`. */
export interface ErrorRecord {
  code: string;
  category: string;
  message: string;
  attempt: number;
  at: string;
}

/** One rule's latest result, kept for `diagnose`. */
export interface RuleRecord {
  index: number;
  type: ValidationRuleType;
  description: string;
  stage: number;
  status: 'passed' | 'failed' | 'skipped' | 'not_run';
  message: string;
}

export interface SheetState {
  status: SheetStatus;
  /** Attempts started (first run, retries and completion prompts). */
  attempts: number;
  retries: number;
  completionAttempts: number;
  rateLimitWaits: number;
  quotaWaits: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  exitCode?: number | null;
  /** Epoch ms until which the sheet waits (retry backoff or rate limit). */
  waitingUntil?: number;
  waitReason?: string;
  lastError?: ErrorRecord;
  errors: ErrorRecord[];
  validations?: RuleRecord[];
  stdoutTail?: string;
  stderrTail?: string;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  skipReason?: string;
  /** Self-healing passes run on this sheet (at most two). */
  healingAttempts?: number;
  /** The sheet's label from sheet.descriptions: added by the conductor when it answers, never stored. */
  description?: string;
  /** The running agent's process group and its start time, so a restarted conductor can stop it. */
  agent?: { pid: number; startTime: string };
  /** A proactive checkpoint (the score's `checkpoints`) stopped the sheet before this attempt. */
  approval?: SheetApproval;
  /** The sheet's attempts and waits, oldest first, for the timeline (the latest SPAN_HISTORY are kept). */
  spans?: SheetSpan[];
}

/** Why a sheet waited between attempts. */
export type SheetWaitKind = 'retry' | 'rate_limit' | 'quota' | 'completion' | 'shared_rate_limit' | 'approval';

/** How an attempt ended. */
export type AttemptEnd = 'completed' | 'failed' | 'retry' | 'completion' | 'rate_limit' | 'quota' | 'healed' | 'interrupted';

/**
 * One stretch of a sheet's time, in epoch ms: an attempt (the agent's run, then its validations)
 * or a wait before the next attempt (retry backoff, a rate limit, a usage quota, a person's approval).
 */
export type SheetSpan =
  | {
      kind: 'attempt';
      attempt: number;
      /** A retry follows a failed attempt; a completion prompt asks the agent to finish the work. */
      mode: 'first' | 'retry' | 'completion';
      start: number;
      end: number;
      /** How long the agent ran; the rest of the span is validation. */
      agentMs: number;
      validationMs: number;
      outcome: AttemptEnd;
      costUsd: number;
    }
  | { kind: 'wait'; wait: SheetWaitKind; start: number; end: number };

/** A sheet waiting for a person before an attempt, or the decision they gave. */
export interface SheetApproval {
  /** The trigger's name. */
  trigger: string;
  message: string;
  /** The attempt it asks about (the sheet's attempts + 1 when it was asked). */
  attempt: number;
  since: string;
  /** Absent while waiting. */
  decision?: 'proceed' | 'skip';
}

/** A stage fanned out into parallel instances: its sheets are `from`..`to` (consecutive). */
export interface FanOutStage {
  stage: number;
  from: number;
  to: number;
}

export interface JobState {
  version: 1;
  jobId: string;
  name: string;
  scoreFile: string;
  workspace: string;
  status: JobStatus;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  totalSheets: number;
  /** Stages fanned out into several instances, so views can group their sheets; absent without fan-out. */
  fanOutStages?: FanOutStage[];
  sheets: Record<string, SheetState>;
  costUsd: number;
  error?: { code: string; message: string };
  /** Its place in a concert (chained by run_job hooks): added by the conductor when it answers, never stored. */
  concert?: ConcertView;
  /** The git worktree the job's agents work in (isolation), kept so a resumed job finds it again. */
  worktree?: { path: string; branch: string };
}

/** A job's place in its concert, as status shows it. */
export interface ConcertView {
  /** Absent for the job that began the chain. */
  id?: string;
  depth: number;
  parent?: string;
  root?: string;
  maxDepth?: number;
  /** The job its run_job hook scheduled, waiting for this one to end and the cooldown to pass. */
  next?: { jobId: string; scoreFile: string; startsAt?: number };
}

/** A change to a job's state. */
export type JobRecord =
  | { t: 'init'; state: JobState }
  | { t: 'job'; at: string; status: JobStatus; error?: { code: string; message: string } | null }
  | { t: 'sheet'; at: string; num: number; patch: SheetPatch; error?: ErrorRecord; addCostUsd?: number; span?: SheetSpan }
  /** The score changed its sheet count (resume with a reloaded score): add or drop sheets. */
  | { t: 'plan'; at: string; totalSheets: number; scoreFile?: string; fanOutStages?: FanOutStage[] }
  /** The job's worktree was created or reused (null: removed; its branch stays in git). */
  | { t: 'worktree'; at: string; worktree: { path: string; branch: string } | null };

/** Fields to change on a sheet; null removes a field (undefined would not survive JSON). */
export type SheetPatch = { [K in keyof SheetState]?: SheetState[K] | null };

/** Errors kept per sheet; older ones are dropped so a flapping sheet cannot grow the state forever. */
const ERROR_HISTORY = 20;
/** Spans kept per sheet, for the same reason. */
export const SPAN_HISTORY = 40;

/** A fresh sheet. */
export function newSheet(): SheetState {
  return { status: 'pending', attempts: 0, retries: 0, completionAttempts: 0, rateLimitWaits: 0, quotaWaits: 0, errors: [], costUsd: 0, inputTokens: 0, outputTokens: 0 };
}

/** Applies one record (in place, for O(1) saves). */
export function applyJobRecord(state: JobState | undefined, record: JobRecord): JobState {
  if (record.t === 'init') return record.state;
  if (!state) throw new Error('journal record before init');
  state.updatedAt = record.at;
  if (record.t === 'job') {
    state.status = record.status;
    if (record.error === null) delete state.error;
    else if (record.error) state.error = record.error;
    if (record.status === 'completed' || record.status === 'failed' || record.status === 'cancelled') state.finishedAt = record.at;
    else delete state.finishedAt;
    return state;
  }
  if (record.t === 'plan') {
    state.totalSheets = record.totalSheets;
    if (record.scoreFile) state.scoreFile = record.scoreFile;
    if (record.fanOutStages?.length) state.fanOutStages = record.fanOutStages;
    else delete state.fanOutStages;
    for (let num = 1; num <= record.totalSheets; num++) state.sheets[String(num)] ??= newSheet();
    for (const key of Object.keys(state.sheets)) if (Number(key) > record.totalSheets) delete state.sheets[key];
    return state;
  }
  if (record.t === 'worktree') {
    if (record.worktree) state.worktree = record.worktree;
    else delete state.worktree;
    return state;
  }
  const key = String(record.num);
  const sheet = state.sheets[key] ?? newSheet();
  for (const [field, value] of Object.entries(record.patch)) {
    if (value === null && field !== 'exitCode') delete (sheet as unknown as Record<string, unknown>)[field];
    else (sheet as unknown as Record<string, unknown>)[field] = value;
  }
  if (record.error) {
    sheet.errors.push(record.error);
    if (sheet.errors.length > ERROR_HISTORY) sheet.errors.splice(0, sheet.errors.length - ERROR_HISTORY);
    sheet.lastError = record.error;
  }
  if (record.span) {
    const spans = (sheet.spans ??= []);
    spans.push(record.span);
    if (spans.length > SPAN_HISTORY) spans.splice(0, spans.length - SPAN_HISTORY);
  }
  if (record.addCostUsd) {
    sheet.costUsd += record.addCostUsd;
    state.costUsd += record.addCostUsd;
  }
  state.sheets[key] = sheet;
  return state;
}
