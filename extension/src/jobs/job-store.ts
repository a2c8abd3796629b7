// The jobs the conductor knows, kept current from its event stream: `job.list` when a conductor
// connects, then events applied as they arrive, and a job's full state (`job.status`) fetched when
// it is first needed and again after each job-level event. Never polls. No `vscode` import: the
// tree, the status bar and the progress notifications listen to its 'changed' event.
import { EventEmitter } from 'node:events';
import type { JobSummary, MethodName, Methods } from '../../../protocol/src/methods.js';
import type { JobRecordEvent, RunnerEvent } from '../../../protocol/src/events.js';
import { applyJobRecord } from '../../../protocol/src/job-state.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { summarise, summaryWithEvent, wantsRefresh } from './job-model.js';
import { orderJobs } from './tree-model.js';

/** Where the store gets its data (the conductor connection, or a fake in tests). */
export interface JobSource {
  request<M extends MethodName>(method: M, params: Methods[M][0]): Promise<Methods[M][1]>;
}

interface JobStoreEvents {
  /** A job changed (its id), or the whole list (undefined). */
  changed: [string | undefined];
  /** Every runner event, after it was applied (log views and progress follow these). */
  event: [RunnerEvent];
  /** A fetch failed (shown in the conductor log, never thrown at the tree). */
  problem: [string];
}

export class JobStore extends EventEmitter<JobStoreEvents> {
  private readonly summaries = new Map<string, JobSummary>();
  private readonly states = new Map<string, JobState>();
  /** Fetches in flight, and whether another is wanted once each ends. */
  private readonly fetching = new Map<string, { promise: Promise<JobState | undefined>; again: boolean }>();
  /** Jobs asked to pause that are still running (a pause takes as long as the running sheets). */
  private readonly pausingIds = new Set<string>();
  private generation = 0;
  private loadedValue = false;

  constructor(private readonly source: JobSource) {
    super();
  }

  /** True once a job list has been read from the current conductor. */
  get loaded(): boolean {
    return this.loadedValue;
  }

  /** Jobs, running ones first, newest first. */
  jobs(): JobSummary[] {
    return orderJobs([...this.summaries.values()].map((s) => this.withPausing(s)));
  }

  summary(jobId: string): JobSummary | undefined {
    const summary = this.summaries.get(jobId);
    return summary && this.withPausing(summary);
  }

  /** Shows a job as pausing at once, before the conductor answers (Pause was just asked for). */
  markPausing(jobId: string): void {
    if (this.summaries.get(jobId)?.status !== 'running') return;
    this.pausingIds.add(jobId);
    this.emit('changed', jobId);
  }

  /** A running job asked to pause carries `pausing` until it stops running. */
  private withPausing(summary: JobSummary): JobSummary {
    if (summary.pausing && summary.status === 'running') this.pausingIds.add(summary.jobId);
    if (!this.pausingIds.has(summary.jobId)) return summary;
    if (summary.status !== 'running') {
      this.pausingIds.delete(summary.jobId);
      return summary;
    }
    return summary.pausing ? summary : { ...summary, pausing: true };
  }

  state(jobId: string): JobState | undefined {
    return this.states.get(jobId);
  }

  runningCount(): number {
    let n = 0;
    for (const s of this.summaries.values()) if (s.status === 'running') n++;
    return n;
  }

  /** Running jobs asked to pause (shown as pausing until their running sheets end). */
  pausingCount(): number {
    let n = 0;
    for (const s of this.summaries.values()) if (s.status === 'running' && this.withPausing(s).pausing) n++;
    return n;
  }

  /** Reads the job list from a freshly connected conductor; held states are fetched again. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    let list: JobSummary[];
    try {
      list = await this.source.request('job.list', { all: true });
    } catch (error) {
      if (generation === this.generation) this.emit('problem', `Could not list jobs: ${(error as Error).message}`);
      return;
    }
    if (generation !== this.generation) return;
    this.summaries.clear();
    this.pausingIds.clear();
    for (const summary of list) this.summaries.set(summary.jobId, summary);
    const held = [...this.states.keys()];
    this.states.clear();
    this.loadedValue = true;
    this.emit('changed', undefined);
    for (const jobId of held) if (this.summaries.has(jobId)) void this.fetchState(jobId);
  }

  /** Forgets everything (the conductor went away). */
  clear(): void {
    this.generation++;
    this.summaries.clear();
    this.states.clear();
    this.fetching.clear();
    this.loadedValue = false;
    this.emit('changed', undefined);
  }

  /** Records what the conductor answered to a submit/resume, before its events arrive. */
  upsert(summary: JobSummary): void {
    const state = this.states.get(summary.jobId);
    if (state && state.updatedAt > summary.updatedAt) return;
    this.summaries.set(summary.jobId, summary);
    if (summary.pausing) this.pausingIds.add(summary.jobId);
    if (state) void this.fetchState(summary.jobId);
    this.emit('changed', summary.jobId);
  }

  /** The job's full state: held, or fetched now. Rejects when the conductor cannot give it. */
  async loadState(jobId: string): Promise<JobState> {
    const held = this.states.get(jobId);
    if (held) return held;
    const state = await this.fetchState(jobId, true);
    if (!state) throw new Error(`No state for job '${jobId}'.`);
    return state;
  }

  /** A summary computed from a state, keeping the member the cluster said runs the job. */
  private keepMember(jobId: string, summary: JobSummary): JobSummary {
    const member = this.summaries.get(jobId)?.member;
    return member && !summary.member ? { ...summary, member } : summary;
  }

  /**
   * Folds one journal record into the job's state with the conductor's own function
   * (applyJobRecord): the state stays what the checkpoint on disk says, without a second reducer.
   */
  handleRecord(event: JobRecordEvent): void {
    const state = this.states.get(event.jobId);
    if (!state) {
      // A job whose state is not held yet: fetch it once; later records apply to it.
      if (this.summaries.has(event.jobId)) void this.fetchState(event.jobId);
      return;
    }
    applyJobRecord(state, event.record);
    this.summaries.set(event.jobId, this.keepMember(event.jobId, summarise(state)));
    this.emit('changed', event.jobId);
  }

  /** Takes one runner event: for log views and progress; a job's state changes only by records. */
  handle(event: RunnerEvent): void {
    const { jobId } = event;
    // In a cluster: the member taking a job moves it to that member's group.
    const known = this.summaries.get(jobId);
    if (known && event.member && event.type === 'job.cluster' && event.action === 'taken' && known.member !== event.member) {
      this.summaries.set(jobId, { ...known, member: event.member });
      this.emit('changed', undefined);
    }
    if (event.type === 'job.pausing' && this.summaries.get(jobId)?.status === 'running' && !this.pausingIds.has(jobId)) {
      this.pausingIds.add(jobId);
      this.emit('changed', jobId);
    }
    const state = this.states.get(jobId);
    if (!state && event.type !== 'sheet.output') {
      const summary = this.summaries.get(jobId);
      if (summary) {
        const next = summaryWithEvent(summary, event);
        if (next !== summary) {
          this.summaries.set(jobId, next);
          this.emit('changed', jobId);
        }
      }
      // A job seen for the first time (submitted elsewhere) or one whose sheets are now moving:
      // fetch its full state once; later events apply to it.
      void this.fetchState(jobId);
    }
    if (state && wantsRefresh(event)) void this.fetchState(jobId);
    this.emit('event', event);
  }

  /** Fetches a job's state, one request at a time per job (a request wanted meanwhile runs after). */
  private fetchState(jobId: string, quiet = false): Promise<JobState | undefined> {
    const running = this.fetching.get(jobId);
    if (running) {
      running.again = true;
      return running.promise;
    }
    const generation = this.generation;
    const entry = { promise: Promise.resolve<JobState | undefined>(undefined), again: false };
    entry.promise = (async () => {
      let latest: JobState | undefined;
      do {
        entry.again = false;
        try {
          latest = await this.source.request('job.status', { jobId });
        } catch (error) {
          if (!quiet && generation === this.generation) this.emit('problem', `Could not read job '${jobId}': ${(error as Error).message}`);
          if (quiet) throw error;
          return undefined;
        }
        if (generation !== this.generation) return undefined;
        this.states.set(jobId, latest);
        this.summaries.set(jobId, this.keepMember(jobId, summarise(latest)));
        this.emit('changed', jobId);
      } while (entry.again);
      return latest;
    })().finally(() => {
      if (this.fetching.get(jobId) === entry) this.fetching.delete(jobId);
    });
    this.fetching.set(jobId, entry);
    return entry.promise;
  }
}
