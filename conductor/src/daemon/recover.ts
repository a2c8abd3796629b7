// `mozart recover`: re-checks the validations of failed sheets without running the agent again; a
// sheet whose work is there after all is completed (and the job with it when nothing is left).
import type { JobRecord, JobState } from '../../../protocol/src/job-state.js';
import { sheetValues } from '../runner/prompt.js';
import { runValidations } from '../runner/validations.js';
import { JournalStore } from '../state/journal-store.js';
import { jobShape } from '../state/job-shape.js';
import { stateDir } from '../state/workspace-files.js';
import { apply, JobError } from './manager-parts.js';
import type { ValidScore } from './manager-parts.js';

/** Which failed sheets pass their validations now; with `dryRun` nothing is recorded. */
export async function recoverSheets(state: JobState, checked: ValidScore, workspace: string, dryRun: boolean, sheet?: number): Promise<{ recovered: number[]; stillFailing: number[] }> {
  const failed = Object.entries(state.sheets)
    .filter(([key, s]) => s.status === 'failed' && (sheet === undefined || Number(key) === sheet))
    .map(([key]) => Number(key))
    .sort((a, b) => a - b);
  if (sheet !== undefined && failed.length === 0) throw new JobError(`Sheet ${sheet} of job '${state.jobId}' is ${state.sheets[String(sheet)]?.status ?? 'not one of its sheets'}, not failed: nothing to recover.`);
  const recovered: number[] = [];
  const stillFailing: number[] = [];
  const results = new Map<number, Awaited<ReturnType<typeof runValidations>>>();
  for (const num of failed) {
    const planned = checked.plan.sheets[num - 1];
    if (!planned) {
      stillFailing.push(num);
      continue;
    }
    const outcome = await runValidations(checked.score.validations, { workspace: workspace, values: sheetValues(planned, checked.plan, workspace), before: new Map() });
    results.set(num, outcome);
    (outcome.allPassed ? recovered : stillFailing).push(num);
  }
  if (!dryRun && recovered.length > 0) {
    const store = JournalStore.open<JobState, JobRecord>({ dir: stateDir(workspace), apply, shape: jobShape }, state);
    try {
      const at = new Date().toISOString();
      for (const num of recovered) {
        const outcome = results.get(num);
        const validations = (outcome?.results ?? []).map(({ index, type, description, stage, status, message }) => ({ index, type, description, stage, status, message }));
        store.append({ t: 'sheet', at, num, patch: { status: 'completed', finishedAt: at, validations } });
      }
      const done = Object.values(store.current.sheets).every((s) => s.status === 'completed' || s.status === 'skipped');
      if (done) store.append({ t: 'job', at, status: 'completed', error: null });
      else if (stillFailing.length === 0 && store.current.status === 'failed') store.append({ t: 'job', at, status: 'paused', error: null });
    } finally {
      store.close();
    }
  }
  return { recovered, stillFailing };
}
