// The learning store, one per user ($MOZART_HOME/learning): the outcome log, a snapshot of the totals
// folded from it (so opening a store of 100,000 outcomes reads only what came after the snapshot),
// and the decisions journal (statuses, budgets, entropy, rate limits). Retention is bounded by count
// and age: the oldest segments go, and their outcomes leave the totals with them.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalStore } from '../state/journal-store.js';
import type { Aggregate } from './aggregate.js';
import { addOutcome, emptyAggregate, removeOutcome } from './aggregate.js';
import type { LearningRecord, LearningState } from './decisions.js';
import { applyLearningRecord, emptyLearningState } from './decisions.js';
import type { AttemptOutcome } from './outcome.js';
import { OutcomeLog } from './outcome-log.js';
import type { SegmentInfo } from './outcome-log.js';

export interface LearningStoreOptions {
  dir: string;
  /** Outcomes kept at most (default 100,000; up to one segment more between drops). */
  maxOutcomes?: number;
  /** Outcomes older than this many days are dropped (default 90). */
  maxAgeDays?: number;
  /** Flush every write to disk (default true). */
  durable?: boolean;
  /** Snapshot the totals after this many outcomes (default 2,000). */
  snapshotEvery?: number;
  /** Told about problems the store worked around (a damaged snapshot, a failed flush). */
  onError?: (message: string) => void;
  now?: () => number;
}

export const DEFAULT_MAX_OUTCOMES = 100_000;
export const DEFAULT_MAX_AGE_DAYS = 90;
const DAY_MS = 86_400_000;

interface AggregateSnapshot {
  format: 'mozart-learning-totals';
  seq: number;
  segments: SegmentInfo[];
  aggregate: Aggregate;
}

export class LearningStore {
  readonly aggregate: Aggregate;
  private readonly log: OutcomeLog;
  private readonly decisions: JournalStore<LearningState, LearningRecord>;
  private sinceSnapshot = 0;
  /** Snapshots are numbered; an older one never replaces a newer one on disk. */
  private snapshotGeneration = 0;
  private renamedGeneration = 0;
  private snapshotWanted = false;
  private snapshotRunning: Promise<void> | undefined;
  /** Dropped segments whose files go once a snapshot taken after the drop is on disk. */
  private readonly forgotten = new Set<string>();
  readonly maxOutcomes: number;
  readonly maxAgeDays: number;
  private readonly snapshotEvery: number;
  private readonly durable: boolean;
  private readonly now: () => number;
  private readonly report: (message: string) => void;

  private constructor(
    readonly dir: string,
    options: LearningStoreOptions,
  ) {
    this.maxOutcomes = Math.max(1, options.maxOutcomes ?? DEFAULT_MAX_OUTCOMES);
    this.maxAgeDays = options.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS;
    this.snapshotEvery = options.snapshotEvery ?? 2000;
    this.durable = options.durable ?? true;
    this.now = options.now ?? Date.now;
    this.report = options.onError ?? (() => undefined);
    const segmentSize = Math.min(10_000, Math.max(100, Math.floor(this.maxOutcomes / 10)));
    this.log = new OutcomeLog(join(dir, 'outcomes'), { segmentSize, durable: this.durable, onError: (e) => this.report(`cannot flush the outcome log to disk: ${e.message}`) });
    const snapshot = this.readSnapshot();
    this.aggregate = snapshot?.aggregate ?? emptyAggregate();
    this.log.load(snapshot?.segments ?? [], snapshot?.seq ?? 0, (o) => addOutcome(this.aggregate, o));
    if (this.log.damaged > 0) this.report(`${this.log.damaged} unreadable line(s) in the outcome log were skipped (a line torn by a crash is one).`);
    this.decisions = this.openDecisions();
    this.enforceRetention();
  }

  /** Opens (or creates) the store in `dir`. */
  static open(options: LearningStoreOptions): LearningStore {
    return new LearningStore(options.dir, options);
  }

  /** The decisions and histories (do not mutate; use {@link decide}). */
  get state(): LearningState {
    return this.decisions.current;
  }

  /** Outcomes kept, damaged lines skipped, the oldest and newest outcome times. */
  get info(): { outcomes: number; damagedLines: number; oldest?: number; newest?: number } {
    const a = this.aggregate;
    return { outcomes: this.log.retained, damagedLines: this.log.damaged, ...(a.outcomes > 0 ? { oldest: a.firstAt, newest: a.lastAt } : {}) };
  }

  /** Records one outcome: appended to the log and added to the totals; returns its sequence number. */
  record(outcome: AttemptOutcome): number {
    const seq = this.log.append(outcome);
    addOutcome(this.aggregate, { ...outcome, seq });
    if (++this.sinceSnapshot >= this.snapshotEvery) this.snapshot();
    this.enforceRetention();
    return seq;
  }

  /**
   * Records a decision (status, budget, entropy measurement, response, rate limit). Status changes
   * wait for the disk; measurements and rate limits reach the kernel (a kill -9 keeps them) without
   * waiting, as losing one to a power cut only means measuring again.
   */
  decide(record: LearningRecord): void {
    this.decisions.append(record, { sync: this.durable && record.t === 'status' });
  }

  /** Drops the oldest segments while the store holds too many outcomes or too old ones. */
  enforceRetention(): void {
    const cutoff = this.now() - this.maxAgeDays * DAY_MS;
    for (let oldest = this.log.droppable; oldest; oldest = this.log.droppable) {
      const size = oldest.last - oldest.first + 1;
      const tooMany = this.log.retained - size >= this.maxOutcomes;
      const tooOld = oldest.lastAt < cutoff;
      if (!tooMany && !tooOld) break;
      for (const o of this.log.read(oldest.name)) removeOutcome(this.aggregate, o);
      // The file goes only once a snapshot without it is on disk: a crash in between leaves a file
      // the next open recognises as a left-over (older than every segment the snapshot knows).
      this.log.forget(oldest.name);
      this.forgotten.add(oldest.name);
      this.snapshot();
    }
  }

  /**
   * Snapshots the totals: serialised now, written and flushed off the event loop (coalescing the
   * requests made meanwhile), then renamed into place.
   */
  snapshot(): void {
    this.sinceSnapshot = 0;
    this.snapshotWanted = true;
    this.snapshotRunning ??= this.writeSnapshots().finally(() => (this.snapshotRunning = undefined));
  }

  /** Resolves once every outcome recorded so far, and the latest snapshot asked for, are on disk. */
  async flushed(): Promise<void> {
    await this.log.flushed();
    while (this.snapshotRunning) await this.snapshotRunning;
  }

  /** Flushes the log, writes a last snapshot (synchronously) and releases the files. */
  close(): void {
    this.log.close();
    const { text, generation, unlinks } = this.serialise();
    const temp = `${this.snapshotPath}.${process.pid}.${generation}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, text);
      if (this.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.install(temp, generation, unlinks);
    this.decisions.close();
  }

  private get snapshotPath(): string {
    return join(this.dir, 'totals.json');
  }

  private readSnapshot(): AggregateSnapshot | undefined {
    let text: string;
    try {
      text = readFileSync(this.snapshotPath, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const s = JSON.parse(text) as AggregateSnapshot;
      if (s.format === 'mozart-learning-totals' && typeof s.seq === 'number' && s.aggregate?.version === 1) return s;
    } catch {
      /* reported below */
    }
    this.report(`the learning totals ${this.snapshotPath} are unreadable; they are rebuilt from the outcome log.`);
    return undefined;
  }

  /** The snapshot's text as of now, its number, and the dropped segments it no longer needs. */
  private serialise(): { text: string; generation: number; unlinks: string[] } {
    const snapshot: AggregateSnapshot = { format: 'mozart-learning-totals', seq: this.log.lastSequence, segments: this.log.info, aggregate: this.aggregate };
    return { text: JSON.stringify(snapshot), generation: ++this.snapshotGeneration, unlinks: [...this.forgotten] };
  }

  private async writeSnapshots(): Promise<void> {
    while (this.snapshotWanted) {
      this.snapshotWanted = false;
      const { text, generation, unlinks } = this.serialise();
      const temp = `${this.snapshotPath}.${process.pid}.${generation}.tmp`;
      try {
        const file = await openFile(temp, 'w', 0o600);
        try {
          await file.writeFile(text);
          if (this.durable) await file.sync();
        } finally {
          await file.close();
        }
        this.install(temp, generation, unlinks);
      } catch (error) {
        this.report(`cannot write the learning totals ${this.snapshotPath}: ${(error as Error).message}; the outcome log still has every outcome.`);
      }
    }
  }

  /** Renames a written snapshot into place unless a newer one is already there, then lets dropped segments go. */
  private install(temp: string, generation: number, unlinks: string[]): void {
    if (generation < this.renamedGeneration) {
      // A newer snapshot is in place; it was taken after these segments were forgotten too.
      unlinkSync(temp);
    } else {
      renameSync(temp, this.snapshotPath);
      this.renamedGeneration = generation;
    }
    for (const name of unlinks) {
      if (this.forgotten.delete(name)) this.log.unlinkForgotten(name);
    }
  }

  private openDecisions(): JournalStore<LearningState, LearningRecord> {
    const dir = join(this.dir, 'decisions');
    const options = { dir, apply: applyLearningRecord, durable: this.durable };
    try {
      return JournalStore.open<LearningState, LearningRecord>(options, emptyLearningState());
    } catch (error) {
      // Decisions are worth less than a conductor that starts: keep the damaged files aside, start afresh.
      const aside = `${dir}.damaged-${this.now()}`;
      renameSync(dir, aside);
      this.report(`the learning decisions in ${dir} were unreadable (${(error as Error).message}); they were moved to ${aside} and decisions start afresh.`);
      return JournalStore.open<LearningState, LearningRecord>(options, emptyLearningState());
    }
  }
}
