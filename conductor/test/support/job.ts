// Test helper: writes a score into a temp dir, checks it with the real engine, and runs it with the
// real runner, backend and checkpoint store.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend } from '../../src/backends/create.js';
import { checkScore, isValid } from '../../../score/src/engine.js';
import type { RunnerEvent } from '../../../protocol/src/events.js';
import { scaledClock } from '../../src/runner/clock.js';
import { initialJobState, JobRunner } from '../../src/runner/job-runner.js';
import type { JobRunnerOptions } from '../../src/runner/job-runner.js';
import { JournalStore } from '../../src/state/journal-store.js';
import type { JobRecord, JobState } from '../../../protocol/src/job-state.js';
import { applyJobRecord } from '../../../protocol/src/job-state.js';

export interface PreparedJob {
  dir: string;
  scoreFile: string;
  workspace: string;
  events: RunnerEvent[];
  runner: JobRunner;
  store: JournalStore<JobState, JobRecord>;
}

/** Makes a temp dir holding `score.yaml` with the given text ({dir} is replaced by the dir). */
export function scoreDir(text: string): { dir: string; scoreFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mozart-job-'));
  const scoreFile = join(dir, 'score.yaml');
  writeFileSync(scoreFile, text.replaceAll('{dir}', dir));
  return { dir, scoreFile };
}

/** Prepares a runner for a score file (fresh or resumed from its checkpoint). */
export function prepareJob(scoreFile: string, dir: string, timeScale = 0.001, onEvent?: (event: RunnerEvent) => void, extra: Pick<JobRunnerOptions, 'selfHealing' | 'checkScore'> = {}): PreparedJob {
  const result = checkScore(scoreFile, readFileSync(scoreFile, 'utf8'));
  assert.ok(isValid(result) && result.score && result.plan && result.workspace, result.findings.map((f) => `${f.id} ${f.message}`).join('\n'));
  const { score, plan, workspace } = result;
  const initial = initialJobState({ jobId: 'test-job', scoreFile, score, plan, workspace });
  const store = JournalStore.open<JobState, JobRecord>({ dir: join(workspace, '.mozart', 'state'), apply: (s, r) => applyJobRecord(s, r) }, initial);
  const events: RunnerEvent[] = [];
  const runner = new JobRunner({ jobId: 'test-job', scoreFile, score, plan, workspace, backend: createBackend(score, scoreFile), store, onEvent: (e) => {
      events.push(e);
      onEvent?.(e);
    }, clock: scaledClock(timeScale), ...extra });
  return { dir, scoreFile, workspace, events, runner, store };
}

/** Writes a score and runs it to the end. */
export async function runScore(text: string, timeScale = 0.001, extra: Pick<JobRunnerOptions, 'selfHealing'> = {}): Promise<PreparedJob & { state: JobState }> {
  const { dir, scoreFile } = scoreDir(text);
  const job = prepareJob(scoreFile, dir, timeScale, undefined, extra);
  const state = await job.runner.run();
  job.store.close();
  return { ...job, state };
}

/** Alive means running: a killed process nobody has reaped yet (a zombie) counts as dead. */
/** Whether a process is gone (or a zombie) within two seconds: a kill is delivered asynchronously, and no event tells this process that another one died. */
export async function goneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (!isAlive(pid)) return true;
    await new Promise((res) => setTimeout(res, 20));
  }
  return false;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).charAt(0) !== 'Z';
  } catch {
    return false;
  }
}
