// A crash-safe checkpoint store: a snapshot file plus an append-only journal of changes.
//
// Saving one change appends one line to the journal (and fsyncs it), so the cost of a save does not
// grow with the size of the job. Every so often the journal is folded into a new snapshot, written
// to a temporary file, fsynced and renamed over the old one: the snapshot on disk is always a
// complete file. Each record carries a sequence number; loading applies the journal records newer
// than the snapshot and ignores a torn last line, so a kill -9 at any instant leaves a readable
// state that is at most the change in flight behind.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** A reducer: applies one journal record to the state. Deterministic; may update the state in place. */
export type Apply<S, R> = (state: S, record: R) => S;

interface Snapshot<S> {
  seq: number;
  state: S;
}

interface JournalLine<R> {
  seq: number;
  record: R;
}

/** Where a store lives and how it folds records into state. */
export interface StoreOptions<S, R> {
  dir: string;
  apply: Apply<S, R>;
  /** Fold the journal into a snapshot after this many records (default 1000). */
  compactEvery?: number;
  /** fsync after each append (default true). Tests of pure logic may turn it off. */
  durable?: boolean;
  /**
   * Called before every write (append and compaction); throwing stops the write. A cluster member
   * checks its fencing token here, so a member that lost a job to another writes nothing more.
   */
  beforeWrite?: () => void;
}

/** Thrown when the stored state cannot be read at all (E402) or is not this store's format (E401). */
export class StateLoadError extends Error {
  constructor(
    readonly code: 'E401' | 'E402',
    message: string,
  ) {
    super(message);
    this.name = 'StateLoadError';
  }
}

/** The store of one job's state. Not safe for two processes at once (the conductor owns it). */
export class JournalStore<S, R> {
  private state: S;
  private seq = 0;
  private journalFd: number | undefined;
  private sinceCompaction = 0;
  private readonly snapshotPath: string;
  private readonly journalPath: string;
  private readonly compactEvery: number;
  private readonly durable: boolean;

  private constructor(
    private readonly options: StoreOptions<S, R>,
    initial: S,
  ) {
    this.state = initial;
    this.snapshotPath = join(options.dir, 'state.json');
    this.journalPath = join(options.dir, 'journal.ndjson');
    this.compactEvery = options.compactEvery ?? 1000;
    this.durable = options.durable ?? true;
  }

  /** Opens the store in `dir`, loading what is there; `initial` is used when nothing is. */
  static open<S, R>(options: StoreOptions<S, R>, initial: S): JournalStore<S, R> {
    const store = new JournalStore(options, initial);
    store.load();
    // Start from a clean snapshot: a torn line at the journal's end must not be appended after.
    store.compact();
    return store;
  }

  /** Reads the state in `dir` without opening it for writing; undefined when there is none. */
  static read<S, R>(dir: string, apply: Apply<S, R>): S | undefined {
    const store = new JournalStore<S | undefined, R>({ dir, apply: (s, r) => apply(s as S, r) }, undefined);
    store.load();
    return store.state;
  }

  /** The current state (do not mutate it; append records instead). */
  get current(): S {
    return this.state;
  }

  /**
   * Applies a record and writes it before returning. The write reaches the kernel at once, so it
   * survives the process being killed at any instant; `sync` (the default) also waits for the disk,
   * so it survives a power loss. Records whose loss in a power cut changes nothing — the agents
   * they describe die in it too — may skip that wait; the next synced record flushes them anyway.
   */
  append(record: R, options: { sync?: boolean } = {}): S {
    this.options.beforeWrite?.();
    this.state = this.options.apply(this.state, record);
    this.seq++;
    const fd = this.openJournal();
    writeSync(fd, JSON.stringify({ seq: this.seq, record } satisfies JournalLine<R>) + '\n');
    if (this.durable && options.sync !== false) fsyncSync(fd);
    if (++this.sinceCompaction >= this.compactEvery) this.compact();
    return this.state;
  }

  /** Folds the journal into a fresh snapshot now. */
  compact(): void {
    this.options.beforeWrite?.();
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.snapshotPath}.${process.pid}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify({ seq: this.seq, state: this.state } satisfies Snapshot<S>));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.snapshotPath);
    fsyncDir(this.options.dir);
    // Records up to `seq` now live in the snapshot; start an empty journal.
    this.closeJournal();
    const fresh = openSync(this.journalPath, 'w', 0o600);
    closeSync(fresh);
    this.sinceCompaction = 0;
  }

  /** Writes a snapshot and releases the journal file. */
  close(): void {
    if (this.sinceCompaction > 0) this.compact();
    this.closeJournal();
  }

  private load(): void {
    let snapshot: Snapshot<S> | undefined;
    const snapshotText = readIfExists(this.snapshotPath);
    if (snapshotText !== undefined) {
      try {
        snapshot = JSON.parse(snapshotText) as Snapshot<S>;
      } catch (error) {
        throw new StateLoadError('E401', `The checkpoint ${this.snapshotPath} is not valid JSON (${(error as Error).message}). It was not written by this version of Mozart, or was edited by hand.`);
      }
      if (typeof snapshot?.seq !== 'number' || snapshot.state === undefined) {
        throw new StateLoadError('E401', `The checkpoint ${this.snapshotPath} is not in Mozart's format.`);
      }
      this.state = snapshot.state;
      this.seq = snapshot.seq;
    }
    const journalText = readIfExists(this.journalPath);
    if (journalText === undefined) return;
    const lines = journalText.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (!line) continue;
      let entry: JournalLine<R>;
      try {
        entry = JSON.parse(line) as JournalLine<R>;
      } catch {
        // Only the last line can be torn by a crash mid-write; anything earlier is corruption.
        if (lines.slice(i + 1).some((l) => l.trim() !== '')) {
          throw new StateLoadError('E401', `The journal ${this.journalPath} is damaged at line ${i + 1}.`);
        }
        break;
      }
      if (entry.seq <= this.seq) continue;
      this.state = this.options.apply(this.state, entry.record);
      this.seq = entry.seq;
      this.sinceCompaction++;
    }
  }

  private openJournal(): number {
    if (this.journalFd === undefined) {
      mkdirSync(dirname(this.journalPath), { recursive: true, mode: 0o700 });
      this.journalFd = openSync(this.journalPath, 'a', 0o600);
    }
    return this.journalFd;
  }

  private closeJournal(): void {
    if (this.journalFd !== undefined) {
      closeSync(this.journalFd);
      this.journalFd = undefined;
    }
  }
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateLoadError('E402', `Cannot read ${path}: ${(error as Error).message}`);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some filesystems cannot fsync a directory; the rename is still atomic */
  }
}
