// on_success hooks: actions run after the whole job completes. run_command and run_script run a
// command; run_job starts the next job of a concert through the conductor (the job manager hands
// the runner `submitJob`), after planChainStep has decided it may.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { runProcess } from '../backends/process.js';
import { resolveFromScore } from '../../../score/src/files.js';
import { expandPlaceholders } from '../../../score/src/placeholders.js';
import type { Score } from '../../../score/src/score-types.js';
import type { ConcertConfig, ConcertLink } from './concert.js';
import { abortsConcert, concertLogFile, concertLogLine, planChainStep } from './concert.js';

export type Hook = Score['on_success'][number];

/** What the conductor is asked to start for a run_job hook. */
export interface ChainRequest {
  scoreFile: string;
  /** Overrides the started score's own workspace (job_workspace, or inherit_workspace). */
  workspace?: string;
  fresh: boolean;
  /** Do not wait for the started job; it starts once this job has ended (and the cooldown passed). */
  detached: boolean;
  cooldownMs: number;
  /** How long to wait for a job that is not detached to finish. */
  timeoutMs: number;
  link: ConcertLink;
}

/** How a run_job hook reaches the conductor. */
export type SubmitJob = (request: ChainRequest) => Promise<{ ok: boolean; message: string; jobId?: string }>;

/** What one hook did. */
export interface HookResult {
  index: number;
  type: Hook['type'];
  ok: boolean;
  message: string;
  /** The job a run_job hook started (or will start when this one ends). */
  next?: { scoreFile: string; jobId?: string; link: ConcertLink };
  /** This failure ends the concert: no further hooks run and no further job starts. */
  concertAborted?: boolean;
}

/** What the hooks need to know about the job that ran them. */
export interface HookContext {
  jobId: string;
  scoreFile: string;
  workspace: string;
  sheetCount: number;
  concert: ConcertConfig;
  /** This job's place in its concert, when a hook started it. */
  link?: ConcertLink;
  submitJob?: SubmitJob;
  signal?: AbortSignal;
}

/** Runs the hooks in order; stops early when a failing hook says on_failure: abort or ends the concert. */
export async function runHooks(hooks: readonly Hook[], ctx: HookContext): Promise<HookResult[]> {
  const values = { workspace: ctx.workspace, job_id: ctx.jobId, sheet_count: ctx.sheetCount };
  const results: HookResult[] = [];
  for (const [index, hook] of hooks.entries()) {
    const result = hook.type === 'run_job' ? await runJobHook(index, hook, ctx, values) : await runCommandHook(index, hook, ctx, values);
    if (abortsConcert(ctx.concert, result.ok)) result.concertAborted = true;
    results.push(result);
    if (!result.ok && (hook.on_failure === 'abort' || result.concertAborted)) break;
  }
  return results;
}

async function runJobHook(index: number, hook: Hook, ctx: HookContext, values: Record<string, string | number>): Promise<HookResult> {
  const step = planChainStep({ hook, concert: ctx.concert, link: ctx.link, jobId: ctx.jobId, scoreFile: ctx.scoreFile, workspace: ctx.workspace, values });
  let result: HookResult;
  if (step.kind === 'refuse') result = { index, type: 'run_job', ok: false, message: step.message };
  else if (!ctx.submitJob) result = { index, type: 'run_job', ok: false, message: `Cannot start ${step.scoreFile}: run_job hooks need the conductor (this job runs outside it).` };
  else {
    const { kind: _kind, ...request } = step;
    const submitted = await ctx.submitJob(request).catch((error: Error) => ({ ok: false, message: error.message, jobId: undefined }));
    result = { index, type: 'run_job', ok: submitted.ok, message: submitted.message, ...(submitted.ok ? { next: { scoreFile: step.scoreFile, ...(submitted.jobId ? { jobId: submitted.jobId } : {}), link: step.link } } : {}) };
  }
  if (ctx.concert.enabled) writeConcertLog(ctx, result.ok ? `run_job ${result.message}` : `run_job failed: ${result.message}`);
  return result;
}

async function runCommandHook(index: number, hook: Hook, ctx: HookContext, values: Record<string, string | number>): Promise<HookResult> {
  const command = expandPlaceholders(hook.command ?? '', values);
  const cwd = hook.working_directory ? resolveFromScore(ctx.scoreFile, hook.working_directory) : ctx.workspace;
  const run = await runProcess(
    { command: '/bin/sh', args: ['-c', command], cwd, env: { ...process.env, MOZART_WORKSPACE: ctx.workspace, MOZART_JOB_ID: ctx.jobId }, timeoutMs: hook.timeout_seconds * 1000, captureBytes: 2048 },
    ctx.signal,
  );
  const ok = run.exitCode === 0 && !run.timedOut;
  const why = run.spawnError ? run.spawnError.message : run.timedOut ? `timed out after ${hook.timeout_seconds}s` : `exit ${run.exitCode ?? run.signal}${run.stderr.trim() ? `: ${run.stderr.trim().slice(-200)}` : ''}`;
  return { index, type: hook.type, ok, message: ok ? `${hook.description ?? command}: done` : `${hook.description ?? command}: ${why}` };
}

/** The concert's shared log: best effort, a log that cannot be written never fails a hook. */
function writeConcertLog(ctx: HookContext, what: string): void {
  const file = concertLogFile(ctx.concert, ctx.scoreFile, ctx.workspace);
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, concertLogLine(new Date().toISOString(), ctx.jobId, ctx.link, what));
  } catch {
    /* see above */
  }
}
