// What a job starts from: its first checkpoint, its fanned-out stages, and the key under which it
// shares rate-limit waits with the conductor's other jobs.
import type { SheetPlan } from '../../../score/src/plan.js';
import type { Score } from '../../../score/src/score-types.js';
import type { FanOutStage, JobState, SheetState } from '../../../protocol/src/job-state.js';
import { newSheet } from '../../../protocol/src/job-state.js';

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

/** The checkpoint could not be written: the job stops (E403) and says why. */
export class CheckpointSaveError extends Error {
  readonly code = 'E403';

  constructor(override readonly cause: Error) {
    super(`Cannot save the job's checkpoint: ${cause.message}`);
    this.name = 'CheckpointSaveError';
  }
}
