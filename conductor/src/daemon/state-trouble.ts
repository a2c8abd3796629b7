// What the job manager says when a job's files fail it: a disk that refuses writes anywhere in a
// sheet's I/O (E403, naming the folder and how to resume) or while a job is started or resumed, a
// checkpoint that cannot be read (E401 / E402, still listed with what to do), and sheets taken as
// done from their validations when a checkpoint's snapshot was lost or a sheet's end went unrecorded.
import { dirname } from 'node:path';
import type { JobState } from '../../../protocol/src/job-state.js';
import type { JobSummary } from '../../../protocol/src/methods.js';
import type { SheetPlan } from '../../../score/src/plan.js';
import type { Score } from '../../../score/src/score-types.js';
import { sheetValues } from '../runner/prompt.js';
import { runValidations } from '../runner/validations.js';
import { DISK_FULL_CODES, StateLoadError, StateWriteError } from '../state/journal-store.js';
import type { RegistryEntry } from './registry.js';

/** The errno and path of a write the disk refused, found in an error or its causes. */
export function diskRefusal(error: unknown): { errno: string; path?: string } | undefined {
  for (let e = error as (Error & { code?: unknown; path?: unknown; cause?: unknown }) | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const errno = e instanceof StateWriteError ? e.errno : typeof e.code === 'string' ? e.code : undefined;
    if (errno && DISK_FULL_CODES.has(errno)) return { errno, ...(e instanceof StateWriteError ? { path: e.path } : typeof e.path === 'string' ? { path: e.path } : {}) };
  }
  return undefined;
}

/** Why the disk refused, naming the folder: "no space is left on the disk holding /x". */
function refusedBecause(workspace: string, refusal: { errno: string; path?: string }): string {
  const folder = refusal.path ? dirname(refusal.path) : workspace;
  return refusal.errno === 'EROFS' ? `the folder ${folder} is on a read-only filesystem` : refusal.errno === 'EDQUOT' ? `the disk quota for ${folder} is used up` : `no space is left on the disk holding ${folder}`;
}

/** What resume does with a sheet whose end the disk refused to record, in the E403 messages. */
export const UNRECORDED_ON_RESUME = "a sheet whose end could not be recorded is checked on resume: taken as done if its validations pass, run again if they do not";

/** E403 for a disk that refuses writes: which folder, why, and how to go on. */
export function diskFullFailure(jobId: string, workspace: string, refusal: { errno: string; path?: string }): { code: string; message: string } {
  return { code: 'E403', message: `The job stopped because ${refusedBecause(workspace, refusal)} (${refusal.errno}). Every sheet recorded before is kept; ${UNRECORDED_ON_RESUME}. Free space there (or make it writable), then 'mozart resume ${jobId}'.` };
}

/**
 * What a submit or resume that failed while writing tells the client, when the job's files are the
 * cause: E403 for a disk that refuses writes (the folder, and how to go on), E401/E402 for a
 * checkpoint that cannot be read. Undefined for any other error.
 */
export function writeRefusal(jobId: string, workspace: string, error: unknown, action: 'started' | 'resumed', retry: string): string | undefined {
  if (error instanceof StateLoadError) return `${error.code} Job '${jobId}' was not ${action}: ${error.message}`;
  const refusal = diskRefusal(error);
  if (!refusal) return undefined;
  return `E403 Job '${jobId}' was not ${action}: ${refusedBecause(workspace, refusal)} (${refusal.errno}). Nothing recorded before is lost. Free space there (or make it writable), then ${retry}.`;
}

/** A job whose checkpoint cannot be read, as `list` shows it: failed, with the reason and what to do. */
export function unreadableSummary(entry: RegistryEntry, error: unknown): JobSummary {
  const code = error instanceof StateLoadError ? error.code : 'E402';
  return {
    jobId: entry.jobId,
    name: entry.jobId,
    status: 'failed',
    scoreFile: entry.scoreFile,
    workspace: entry.workspace,
    totalSheets: 0,
    completedSheets: 0,
    failedSheets: 0,
    costUsd: 0,
    updatedAt: new Date(0).toISOString(),
    error: { code, message: (error as Error).message },
  };
}

/**
 * Sheets not recorded as done whose validations pass now: taken as done when a checkpoint's
 * snapshot was lost, or when the disk refused to record a sheet's end (`unrecordedOnly`: only
 * sheets an attempt started), so validated work is never run again. Sheets no rule applies to
 * cannot be judged this way and run again.
 */
export async function inferDoneSheets(score: Score, plan: SheetPlan, workspace: string, state: JobState, unrecordedOnly = false): Promise<{ num: number; validations: NonNullable<JobState['sheets'][string]['validations']> }[]> {
  const done: { num: number; validations: NonNullable<JobState['sheets'][string]['validations']> }[] = [];
  for (const planned of plan.sheets) {
    const sheet = state.sheets[String(planned.num)];
    const status = sheet?.status;
    if (status === 'completed' || status === 'skipped') continue;
    // After a refused write only a sheet whose attempt was under way can have an end that went
    // unrecorded; one recorded as failed, or never started, runs as it would have.
    if (unrecordedOnly && !(status === 'in_progress' || (status === 'pending' && (sheet?.attempts ?? 0) > 0))) continue;
    const outcome = await runValidations(score.validations, { workspace, values: sheetValues(planned, plan, workspace), before: new Map() });
    if (outcome.applicable === 0 || !outcome.allPassed) continue;
    done.push({ num: planned.num, validations: outcome.results.map(({ index, type, description, stage, status: s, message }) => ({ index, type, description, stage, status: s, message })) });
  }
  return done;
}
