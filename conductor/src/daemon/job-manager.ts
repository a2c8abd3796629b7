// Keeps every job the conductor knows: submits (after checking the score with the engine), runs,
// pauses, resumes and cancels them, and remembers them in a registry on disk so a restarted
// conductor lists them again.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBackend } from '../backends/create.js';
import type { RunnerEvent } from '../runner/events.js';
import { summariseJob } from '../protocol/summary.js';
import { initialJobState, JobRunner } from '../runner/job-runner.js';
import { checkScore, isValid } from '../score/engine.js';
import { JournalStore } from '../state/journal-store.js';
import type { JobRecord, JobState } from '../state/job-state.js';
import { applyJobRecord } from '../state/job-state.js';
import type { JobSummary } from '../protocol/methods.js';

/** A refusal the client should show as is. */
export class JobError extends Error {}

interface RegistryEntry {
  jobId: string;
  scoreFile: string;
  workspace: string;
}

interface ActiveJob {
  runner: JobRunner;
  store: JournalStore<JobState, JobRecord>;
  done: Promise<JobState>;
}

const stateDirOf = (workspace: string) => join(workspace, '.mozart', 'state');
const apply = (s: JobState, r: JobRecord) => applyJobRecord(s, r);

export class JobManager {
  private readonly active = new Map<string, ActiveJob>();

  constructor(
    private readonly registry: string,
    private readonly onEvent: (event: RunnerEvent) => void,
  ) {
    mkdirSync(registry, { recursive: true, mode: 0o700 });
  }

  /**
   * Resumes jobs a previous conductor left running (it was killed or crashed): their checkpoints
   * still say running or pending. Paused jobs wait for an explicit resume. Returns the resumed ids.
   */
  resumeInterrupted(): string[] {
    const resumed: string[] = [];
    for (const entry of this.entries()) {
      let state: JobState | undefined;
      try {
        state = JournalStore.read<JobState, JobRecord>(stateDirOf(entry.workspace), apply);
      } catch {
        continue;
      }
      if (!state || (state.status !== 'running' && state.status !== 'pending')) continue;
      try {
        this.resume(entry.jobId);
        resumed.push(entry.jobId);
      } catch {
        /* its score changed or vanished; it stays listed for the user to deal with */
      }
    }
    return resumed;
  }

  /** Jobs running right now. */
  get runningCount(): number {
    return this.active.size;
  }

  private entries(): RegistryEntry[] {
    return readdirSync(this.registry)
      .filter((f) => f.endsWith('.json'))
      .flatMap((f) => {
        try {
          return [JSON.parse(readFileSync(join(this.registry, f), 'utf8')) as RegistryEntry];
        } catch {
          return [];
        }
      });
  }

  private entry(jobId: string): RegistryEntry {
    const found = this.entries().find((e) => e.jobId === jobId);
    if (!found) throw new JobError(`No job named '${jobId}'. Run 'mozart list --all' to see the jobs the conductor knows.`);
    return found;
  }

  /** The current state of a job, running or not. */
  state(jobId: string): JobState {
    const active = this.active.get(jobId);
    if (active) return active.store.current;
    const entry = this.entry(jobId);
    const state = JournalStore.read<JobState, JobRecord>(stateDirOf(entry.workspace), apply);
    if (!state) throw new JobError(`Job '${jobId}' has no checkpoint in ${entry.workspace}; it never started.`);
    return state;
  }

  /** Every job, newest first; without `all`, finished jobs are left out. */
  list(all: boolean): JobSummary[] {
    const out: JobSummary[] = [];
    for (const entry of this.entries()) {
      let state: JobState;
      try {
        state = this.state(entry.jobId);
      } catch {
        continue;
      }
      if (!all && (state.status === 'completed' || state.status === 'cancelled')) continue;
      out.push(summariseJob(state));
    }
    return out.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** Checks a score and starts it as a new job. */
  submit(scoreFile: string, fresh: boolean): JobSummary {
    const file = resolve(scoreFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new JobError(`Cannot read the score ${file}: ${(error as Error).message}`);
    }
    const checked = checkScore(file, text);
    if (!isValid(checked) || !checked.score || !checked.plan || !checked.workspace) {
      const errors = checked.findings.filter((f) => f.severity === 'error');
      const list = errors.slice(0, 5).map((f) => `  ${f.file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.id} ${f.message}`).join('\n');
      throw new JobError(`The score is not valid (${errors.length} error${errors.length === 1 ? '' : 's'}); nothing was started:\n${list}\nRun 'mozart validate ${scoreFile}' for every finding.`);
    }
    const { score, plan, workspace } = checked;
    const jobId = score.name;
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running. Use 'mozart status ${jobId}'.`);
    const existing = JournalStore.read<JobState, JobRecord>(stateDirOf(workspace), apply);
    if (existing && !fresh) {
      const hint = existing.status === 'completed' ? 'It already completed; use --fresh to run it again from the start.' : `Use 'mozart resume ${jobId}' to continue it, or --fresh to start over.`;
      throw new JobError(`Job '${jobId}' already has a checkpoint (${existing.status}). ${hint}`);
    }
    if (fresh) rmSync(stateDirOf(workspace), { recursive: true, force: true });
    writeFileSync(join(this.registry, `${safeName(jobId)}.json`), JSON.stringify({ jobId, scoreFile: file, workspace } satisfies RegistryEntry));
    const store = JournalStore.open<JobState, JobRecord>({ dir: stateDirOf(workspace), apply }, initialJobState({ jobId, scoreFile: file, score, plan, workspace }));
    this.start(jobId, store, file, checked.score, checked.plan, workspace);
    return summariseJob(store.current);
  }

  /** Continues a paused, failed or interrupted job from its checkpoint (re-reading its score). */
  resume(jobId: string): JobSummary {
    if (this.active.has(jobId)) throw new JobError(`Job '${jobId}' is already running.`);
    const entry = this.entry(jobId);
    const checked = checkScore(entry.scoreFile, readFileSync(entry.scoreFile, 'utf8'));
    if (!isValid(checked) || !checked.score || !checked.plan) throw new JobError(`The score ${entry.scoreFile} is no longer valid; fix it ('mozart validate') and resume again.`);
    const store = JournalStore.open<JobState, JobRecord>({ dir: stateDirOf(entry.workspace), apply }, initialJobState({ jobId, scoreFile: entry.scoreFile, score: checked.score, plan: checked.plan, workspace: entry.workspace }));
    if (store.current.status === 'completed') {
      store.close();
      throw new JobError(`Job '${jobId}' already completed. Use 'mozart run --fresh' to run it again.`);
    }
    this.start(jobId, store, entry.scoreFile, checked.score, checked.plan, entry.workspace);
    return summariseJob(store.current);
  }

  pause(jobId: string): JobSummary {
    const active = this.active.get(jobId);
    if (!active) throw new JobError(`Job '${jobId}' is not running (${this.state(jobId).status}).`);
    active.runner.pause();
    return summariseJob(active.store.current);
  }

  cancel(jobId: string): JobSummary {
    const active = this.active.get(jobId);
    if (!active) throw new JobError(`Job '${jobId}' is not running (${this.state(jobId).status}).`);
    active.runner.cancel();
    return summariseJob(active.store.current);
  }

  /** Pauses every running job, stopping running agents, and waits until each is checkpointed. */
  async pauseAll(): Promise<void> {
    const waits = [...this.active.values()].map((job) => {
      job.runner.pause({ interrupt: true });
      return job.done;
    });
    await Promise.allSettled(waits);
  }

  private start(jobId: string, store: JournalStore<JobState, JobRecord>, scoreFile: string, score: NonNullable<ReturnType<typeof checkScore>['score']>, plan: NonNullable<ReturnType<typeof checkScore>['plan']>, workspace: string): void {
    const runner = new JobRunner({ jobId, scoreFile, score, plan, workspace, backend: createBackend(score, scoreFile), store, onEvent: this.onEvent });
    const done = runner
      .run()
      .catch((error: Error) => {
        store.append({ t: 'job', at: new Date().toISOString(), status: 'failed', error: { code: 'E999', message: `The runner stopped unexpectedly: ${error.message}` } });
        return store.current;
      })
      .finally(() => {
        store.close();
        this.active.delete(jobId);
      });
    this.active.set(jobId, { runner, store, done });
  }
}

function safeName(jobId: string): string {
  return jobId.replace(/[^A-Za-z0-9._-]/g, '_');
}

