// The jobs the conductor knows, kept current from its event stream: `job.list` when a conductor
// connects, then events applied as they arrive, and a job's full state (`job.status`) fetched when
// it is first needed and again after each job-level event. Never polls. No `vscode` import: the
// status bar listens to its 'changed' event; the tree and the progress notifications to its
// `refreshes`, the same changes gathered (refresh-batcher.ts). A journal record costs the same
// whatever the job's size (job-tally.ts); a finished job's state is let go unless the tree shows
// its sheets (`retain`), and a job the conductor clears (`job.cleared`) leaves the store.
import { EventEmitter } from 'node:events';
import type { JobSummary, MethodName, Methods } from '../../../protocol/src/methods.js';
import type { JobRecordEvent, RunnerEvent } from '../../../protocol/src/events.js';
import type { JobState } from '../../../protocol/src/job-state.js';
import { isSettled, summaryWithEvent, wantsRefresh } from './job-model.js';
import { foldRecord, summaryOf, tallyOf } from './job-tally.js';
import type { JobTally } from './job-tally.js';
import { RefreshBatcher } from './refresh-batcher.js';
import type { RefreshTimers } from './refresh-batcher.js';
import { orderJobs } from './tree-model.js';
import type { JobExtras } from './tree-model.js';

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
  private readonly tallies = new Map<string, JobTally>();
  /** What the tree shows of a job beyond its summary, kept when a finished job's state is let go. */
  private readonly keptExtras = new Map<string, JobExtras>();
  /** Jobs whose sheets the tree shows (expanded): their state is held even when they finish. */
  private readonly retained = new Set<string>();
  /** Jobs the conductor cleared (until they are submitted again). */
  private readonly clearedIds = new Set<string>();
  /** The changes of 'changed', gathered into refreshes for the tree and the progress notifications. */
  readonly refreshes: RefreshBatcher;
  /** Fetches in flight, and whether another is wanted once each ends. */
  private readonly fetching = new Map<string, { promise: Promise<JobState | undefined>; again: boolean }>();
  /** Jobs asked to pause that are still running (a pause takes as long as the running sheets). */
  private readonly pausingIds = new Set<string>();
  private generation = 0;
  private loadedValue = false;

  constructor(
    private readonly source: JobSource,
    timers?: RefreshTimers,
  ) {
    super();
    this.refreshes = new RefreshBatcher(timers);
    this.on('changed', (jobId) => this.refreshes.schedule(jobId));
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

  /** The job's extras for its tree item (kept current per record while its state is held). */
  extras(jobId: string): JobExtras | undefined {
    const state = this.states.get(jobId);
    const tally = this.tallies.get(jobId);
    if (state && tally) return { awaitingApproval: tally.awaitingApproval, ...(state.concert ? { concert: state.concert } : {}) };
    return this.keptExtras.get(jobId);
  }

  /** Jobs whose state is held now. */
  heldStates(): number {
    return this.states.size;
  }

  /**
   * The tree shows (`on`) or no longer shows a job's sheets. A finished job's state is held only
   * while it is shown; it is fetched again when its sheets are shown next.
   */
  retain(jobId: string, on: boolean): void {
    if (on) this.retained.add(jobId);
    else {
      this.retained.delete(jobId);
      this.letGoIfDone(jobId);
    }
  }

  /** Drops the state of a finished job nobody shows, keeping its summary and extras. */
  private letGoIfDone(jobId: string): void {
    const summary = this.summaries.get(jobId);
    if (!summary || !isSettled(summary.status) || this.retained.has(jobId) || this.fetching.has(jobId)) return;
    const extras = this.extras(jobId);
    if (!this.states.delete(jobId)) return;
    this.tallies.delete(jobId);
    if (extras) this.keptExtras.set(jobId, { awaitingApproval: 0, ...(extras.concert ? { concert: extras.concert } : {}) });
  }

  /** Forgets a job the conductor no longer knows (cleared). */
  private remove(jobId: string): void {
    this.clearedIds.add(jobId);
    this.fetching.delete(jobId);
    if (!this.summaries.delete(jobId)) return;
    this.states.delete(jobId);
    this.tallies.delete(jobId);
    this.keptExtras.delete(jobId);
    this.retained.delete(jobId);
    this.pausingIds.delete(jobId);
    this.emit('changed', undefined);
  }

  private hold(jobId: string, state: JobState): void {
    this.states.set(jobId, state);
    this.tallies.set(jobId, tallyOf(state));
    this.keptExtras.delete(jobId);
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
    const held = [...this.states.keys()].filter((jobId) => this.retained.has(jobId) || !isSettled(this.summaries.get(jobId)?.status ?? 'completed'));
    this.states.clear();
    this.tallies.clear();
    this.keptExtras.clear();
    this.loadedValue = true;
    this.emit('changed', undefined);
    for (const jobId of held) if (this.summaries.has(jobId)) void this.fetchState(jobId);
  }

  /** Forgets everything (the conductor went away). */
  clear(): void {
    this.generation++;
    this.summaries.clear();
    this.states.clear();
    this.tallies.clear();
    this.keptExtras.clear();
    this.fetching.clear();
    this.loadedValue = false;
    this.emit('changed', undefined);
  }

  /** Records what the conductor answered to a submit/resume, before its events arrive. */
  upsert(summary: JobSummary): void {
    this.clearedIds.delete(summary.jobId);
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
    const held = this.states.get(event.jobId);
    const tally = this.tallies.get(event.jobId);
    if (!held || !tally) {
      // A job whose state is not held: a record that starts it or moves its sheets fetches it once
      // (later records apply to it); a finished job's last records need no state.
      const summary = this.summaries.get(event.jobId);
      if (summary && (!isSettled(summary.status) || event.record.t === 'init')) void this.fetchState(event.jobId);
      return;
    }
    const { state, tally: next } = foldRecord(held, tally, event.record);
    if (state !== held) this.states.set(event.jobId, state);
    this.tallies.set(event.jobId, next);
    this.summaries.set(event.jobId, this.keepMember(event.jobId, summaryOf(state, next)));
    this.emit('changed', event.jobId);
  }

  /** Takes one runner event: for log views and progress; a job's state changes only by records. */
  handle(event: RunnerEvent): void {
    const { jobId } = event;
    if (event.type === 'job.cleared') {
      this.remove(jobId);
      this.emit('event', event);
      return;
    }
    if (event.type === 'job.started') this.clearedIds.delete(jobId);
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
      const next = summary && summaryWithEvent(summary, event);
      if (summary && next && next !== summary) {
        this.summaries.set(jobId, next);
        this.emit('changed', jobId);
      }
      // A job seen for the first time (submitted elsewhere) or one whose sheets are now moving:
      // fetch its full state once; later events apply to it. A finished job's notes need none.
      if (!next || !isSettled(next.status) || this.retained.has(jobId)) void this.fetchState(jobId);
    }
    if (state && wantsRefresh(event)) {
      // A job that finished and is not shown: its records made the summary; its state is let go.
      const summary = this.summaries.get(jobId);
      if (summary && isSettled(summaryWithEvent(summary, event).status) && !this.retained.has(jobId)) {
        const next = summaryWithEvent(summary, event);
        if (next !== summary) this.summaries.set(jobId, next);
        this.letGoIfDone(jobId);
        this.emit('changed', jobId);
      } else void this.fetchState(jobId);
    }
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
        // Cleared while the answer was on its way: it stays gone.
        if (this.clearedIds.has(jobId)) return undefined;
        this.hold(jobId, latest);
        this.summaries.set(jobId, this.keepMember(jobId, summaryOf(latest, this.tallies.get(jobId) ?? tallyOf(latest))));
        this.emit('changed', jobId);
      } while (entry.again);
      return latest;
    })().finally(() => {
      if (this.fetching.get(jobId) !== entry) return;
      this.fetching.delete(jobId);
      this.letGoIfDone(jobId);
    });
    this.fetching.set(jobId, entry);
    return entry.promise;
  }
}
