// on_success hooks: actions run after the whole job completes. run_command and run_script run a
// shell command; run_job hands a score to the conductor (through the callback the daemon supplies).
import { runProcess } from '../backends/process.js';
import { resolveFromScore } from '../../../score/src/files.js';
import { expandPlaceholders } from '../../../score/src/placeholders.js';
import type { Score } from '../../../score/src/score-types.js';

export type Hook = Score['on_success'][number];

/** How a run_job hook reaches the conductor. */
export type SubmitJob = (scoreFile: string, options: { fresh: boolean; detached: boolean }) => Promise<{ ok: boolean; message: string }>;

/** What one hook did. */
export interface HookResult {
  index: number;
  type: Hook['type'];
  ok: boolean;
  message: string;
}

/** Runs the hooks in order; stops early when a failing hook says on_failure: abort. */
export async function runHooks(hooks: readonly Hook[], ctx: { jobId: string; scoreFile: string; workspace: string; sheetCount: number; submitJob?: SubmitJob; signal?: AbortSignal }): Promise<HookResult[]> {
  const values = { workspace: ctx.workspace, job_id: ctx.jobId, sheet_count: ctx.sheetCount };
  const results: HookResult[] = [];
  for (const [index, hook] of hooks.entries()) {
    let result: HookResult;
    if (hook.type === 'run_job') {
      const target = hook.job_path ? resolveFromScore(ctx.scoreFile, expandPlaceholders(hook.job_path, values)) : '';
      if (!target) result = { index, type: hook.type, ok: false, message: 'run_job needs job_path.' };
      else if (!ctx.submitJob) result = { index, type: hook.type, ok: false, message: `Cannot start ${target}: run_job hooks need the conductor.` };
      else {
        const submitted = await ctx.submitJob(target, { fresh: hook.fresh, detached: hook.detached });
        result = { index, type: hook.type, ...submitted };
      }
    } else {
      const command = expandPlaceholders(hook.command ?? '', values);
      const cwd = hook.working_directory ? resolveFromScore(ctx.scoreFile, hook.working_directory) : ctx.workspace;
      const run = await runProcess(
        { command: '/bin/sh', args: ['-c', command], cwd, env: { ...process.env, MOZART_WORKSPACE: ctx.workspace, MOZART_JOB_ID: ctx.jobId }, timeoutMs: hook.timeout_seconds * 1000, captureBytes: 2048 },
        ctx.signal,
      );
      const ok = run.exitCode === 0 && !run.timedOut;
      const why = run.spawnError ? run.spawnError.message : run.timedOut ? `timed out after ${hook.timeout_seconds}s` : `exit ${run.exitCode ?? run.signal}${run.stderr.trim() ? `: ${run.stderr.trim().slice(-200)}` : ''}`;
      result = { index, type: hook.type, ok, message: ok ? `${hook.description ?? command}: done` : `${hook.description ?? command}: ${why}` };
    }
    results.push(result);
    if (!result.ok && hook.on_failure === 'abort') break;
  }
  return results;
}
