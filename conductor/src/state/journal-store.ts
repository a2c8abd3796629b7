// A crash-safe checkpoint store: a snapshot file plus an append-only journal of changes.
//
// Saving one change appends one line to the journal (and fsyncs it), so the cost of a save does not
// grow with the size of the job. Every so often the journal is folded into a new snapshot, written
// to a temporary file, fsynced and renamed over the old one: the snapshot on disk is always a
// complete file. Each record carries a sequence number; loading applies the journal records newer
// than the snapshot and ignores a torn last line, so a kill -9 at any instant leaves a readable
// state that is at most the change in flight behind.
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, truncateSync, writeSync } from 'node:fs';
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

/**
 * What a store checks of what it loads before using it: each returns what is wrong, or undefined.
 * A snapshot whose state fails is E401; a record that fails is treated as a line that is not a
 * record (cut off at the end of the journal, E401 before other records).
 */
export interface StoreShape {
  state?: (state: unknown) => string | undefined;
  record?: (record: unknown) => string | undefined;
}

/** Where a store lives and how it folds records into state. */
export interface StoreOptions<S, R> {
  dir: string;
  apply: Apply<S, R>;
  /** Checks of the loaded snapshot and records (default: none beyond the file's own format). */
  shape?: StoreShape;
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

/**
 * Thrown when a write the checkpoint depends on did not complete (a full disk, a quota, a read-only
 * filesystem). Nothing half-written is left for a later load to trust: a journal line cut short is
 * cut off again, a snapshot that was not fully written never replaces the good one.
 */
export class StateWriteError extends Error {
  constructor(
    /** The errno code (ENOSPC, EDQUOT, EROFS, EIO…) when the system gave one. */
    readonly errno: string | undefined,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'StateWriteError';
  }
}

/** Error codes that mean the disk refuses writes: the job stops and says how to resume. */
export const DISK_FULL_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG']);

/** Writes every byte of `bytes` at the file's position, looping over short writes. */
function writeAll(fd: number, bytes: Buffer, path: string): void {
  let offset = 0;
  while (offset < bytes.length) {
    let written: number;
    try {
      written = writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (error) {
      const errno = (error as NodeJS.ErrnoException).code;
      throw new StateWriteError(errno, path, `${(error as Error).message} (writing ${path}: ${offset} of ${bytes.length} bytes written)`);
    }
    if (written <= 0) throw new StateWriteError('EIO', path, `writing ${path} stopped after ${offset} of ${bytes.length} bytes`);
    offset += written;
  }
}

function syncOrThrow(fd: number, path: string): void {
  try {
    fsyncSync(fd);
  } catch (error) {
    throw new StateWriteError((error as NodeJS.ErrnoException).code, path, `${(error as Error).message} (flushing ${path} to disk)`);
  }
}

/** Whether a parsed journal line has the shape of a record this store wrote. */
function isJournalLine(value: unknown): value is JournalLine<unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const line = value as { seq?: unknown; record?: unknown };
  return Number.isSafeInteger(line.seq) && (line.seq as number) > 0 && line.record !== undefined && line.record !== null;
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
  /** Bytes of the journal known to hold whole records: where the next record goes. */
  private journalSize = 0;
  /** What loading had to repair (a torn tail cut off), for the job's events; empty when nothing. */
  readonly repairs: string[] = [];
  /**
   * The snapshot is gone but the journal file is there (deleted by hand, or lost after a
   * compaction): what this store holds was rebuilt from the journal alone, and sheets recorded only
   * in the lost snapshot are missing from it.
   */
  snapshotLost = false;
  /** Neither snapshot nor journal was there when the store was opened: it starts from `initial`. */
  foundNothing = false;
  /** Records whose journal write failed: not in the state, but written with the next snapshot that succeeds. */
  private unwritten: R[] = [];

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
    const hadSnapshot = existsSync(store.snapshotPath);
    // A torn or non-record tail is cut off, so nothing is ever appended after it.
    store.cutTail();
    // Start from a fresh snapshot when the disk allows; when it does not, the journal (cut to its
    // whole records) still holds everything, and appends go on after it.
    try {
      store.compact();
    } catch (error) {
      // Without a snapshot on disk nothing before the journal is saved: the store cannot be used.
      if (!(error instanceof StateWriteError) || !hadSnapshot) throw error;
      store.repairs.push(`the snapshot could not be refreshed (${error.message}); the journal still holds every change`);
    }
    return store;
  }

  /** Reads the state in `dir` without opening it for writing; undefined when there is none. */
  static read<S, R>(dir: string, apply: Apply<S, R>, shape?: StoreShape): S | undefined {
    const store = new JournalStore<S | undefined, R>({ dir, apply: (s, r) => apply(s as S, r), ...(shape ? { shape } : {}) }, undefined);
    try {
      store.load();
    } catch (error) {
      if (error instanceof StateLoadError || !store.snapshotLost) throw error;
      throw new StateLoadError('E401', `The checkpoint's snapshot ${store.snapshotPath} is missing (deleted, or lost with its disk); its journal holds only the changes since the last snapshot. Resume the job to rebuild it: sheets whose validations pass are taken as done and not run again.`);
    }
    if (store.snapshotLost && store.state === undefined) {
      throw new StateLoadError('E401', `The checkpoint's snapshot ${store.snapshotPath} is missing (deleted, or lost with its disk), and its journal is empty. Resume the job to rebuild it: sheets whose validations pass are taken as done and not run again.`);
    }
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
    if (this.unwritten.length > 0) {
      // An earlier record is still unwritten: keep the order, both go with the next snapshot.
      this.unwritten.push(record);
      this.compact();
      return this.state;
    }
    const bytes = Buffer.from(JSON.stringify({ seq: this.seq + 1, record } satisfies JournalLine<R>) + '\n');
    const fd = this.openJournal();
    try {
      writeAll(fd, bytes, this.journalPath);
      if (this.durable && options.sync !== false) syncOrThrow(fd, this.journalPath);
    } catch (error) {
      // Cut the line off again (partial, or whole but not known to be on disk), so the journal
      // ends with the records the state in memory holds: a line left there would carry the seq
      // the next record reuses, and loading would skip that next record as already applied. If
      // even the cut fails, loading drops a torn last line.
      try {
        ftruncateSync(fd, this.journalSize);
      } catch {
        /* the next load drops a torn last line */
      }
      // Not part of the state yet; the next snapshot that can be written takes it along.
      this.unwritten.push(record);
      throw error;
    }
    this.journalSize += bytes.length;
    // Only a record that is on disk becomes the state everyone sees.
    this.seq++;
    this.state = this.options.apply(this.state, record);
    if (++this.sinceCompaction >= this.compactEvery) this.compact();
    return this.state;
  }

  /** Folds the journal into a fresh snapshot now. */
  compact(): void {
    this.options.beforeWrite?.();
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.snapshotPath}.${process.pid}.tmp`;
    // Records the journal refused go into this snapshot: once it is on disk, they are saved.
    let withUnwritten = this.state;
    if (this.unwritten.length > 0) {
      withUnwritten = structuredClone(this.state);
      for (const record of this.unwritten) withUnwritten = this.options.apply(withUnwritten, record);
    }
    try {
      const fd = openSync(temp, 'w', 0o600);
      try {
        writeAll(fd, Buffer.from(JSON.stringify({ seq: this.seq + this.unwritten.length, state: withUnwritten } satisfies Snapshot<S>)), temp);
        syncOrThrow(fd, temp);
      } finally {
        closeSync(fd);
      }
      // Only a snapshot fully written and on disk replaces the good one.
      renameSync(temp, this.snapshotPath);
    } catch (error) {
      rmSync(temp, { force: true });
      if (error instanceof StateWriteError) throw error;
      const errno = (error as NodeJS.ErrnoException).code;
      throw new StateWriteError(errno, temp, `${(error as Error).message} (writing the snapshot ${temp})`);
    }
    fsyncDir(this.options.dir);
    this.state = withUnwritten;
    this.seq += this.unwritten.length;
    this.unwritten = [];
    // Records up to `seq` now live in the snapshot; start an empty journal.
    this.closeJournal();
    const fresh = openSync(this.journalPath, 'w', 0o600);
    closeSync(fresh);
    this.journalSize = 0;
    this.sinceCompaction = 0;
  }

  /** Writes a snapshot and releases the journal file. */
  close(): void {
    if (this.sinceCompaction > 0 || this.unwritten.length > 0) this.compact();
    this.closeJournal();
  }

  private load(): void {
    const snapshotText = readIfExists(this.snapshotPath);
    if (snapshotText !== undefined) {
      let parsed: Partial<Snapshot<S>> | null;
      try {
        parsed = JSON.parse(snapshotText) as Partial<Snapshot<S>> | null;
      } catch (error) {
        throw new StateLoadError('E401', `The checkpoint ${this.snapshotPath} is not valid JSON (${(error as Error).message}). It was not written by this version of Mozart, or was edited by hand. Move the folder ${this.options.dir} aside and resume: sheets whose validations pass are taken as done, not run again.`);
      }
      const framed = typeof parsed === 'object' && parsed !== null && Number.isSafeInteger(parsed.seq) && parsed.state !== undefined && parsed.state !== null;
      const shapeProblem = framed ? this.options.shape?.state?.(parsed?.state) : undefined;
      if (!framed || shapeProblem) {
        throw new StateLoadError('E401', `The checkpoint ${this.snapshotPath} is not in Mozart's format${shapeProblem ? ` (${shapeProblem})` : ''}. Move the folder ${this.options.dir} aside and resume: sheets whose validations pass are taken as done, not run again.`);
      }
      const snapshot = parsed as Snapshot<S>;
      this.state = snapshot.state;
      this.seq = snapshot.seq;
    }
    const journalText = readIfExists(this.journalPath);
    if (journalText === undefined) {
      this.foundNothing = snapshotText === undefined;
      return;
    }
    if (snapshotText === undefined) this.snapshotLost = true;
    const lines = journalText.split('\n');
    // The last piece has no newline after it: a write cut short (or nothing, when the file ends well).
    const complete = lines.length - 1;
    let offset = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      const bytes = Buffer.byteLength(line) + (i < complete ? 1 : 0);
      if (line.trim() === '') {
        if (i < complete) offset += bytes;
        continue;
      }
      let entry: unknown;
      let problem: string | undefined;
      try {
        entry = JSON.parse(line);
      } catch {
        problem = 'is not valid JSON';
      }
      if (!problem && !isJournalLine(entry)) problem = 'is valid JSON but not a journal record';
      const shapeProblem = problem ? undefined : this.options.shape?.record?.((entry as JournalLine<unknown>).record);
      if (shapeProblem) problem = `is valid JSON but not a journal record (${shapeProblem})`;
      if (!problem && i >= complete) problem = 'has no end of line (its write was cut short)';
      const seq = problem ? 0 : (entry as JournalLine<R>).seq;
      if (!problem && seq > this.seq + 1) problem = `jumps from record ${this.seq} to ${seq}`;
      if (!problem && seq > this.seq) {
        try {
          this.state = this.options.apply(this.state, (entry as JournalLine<R>).record);
        } catch (error) {
          // A record the shape check let through that the reducer still cannot take: not ours
          // either. (The check runs first so that a job's reducer, which changes the state in
          // place, is never left halfway through a record.)
          problem = `is not a record this checkpoint can apply (${(error as Error).message})`;
        }
      }
      if (problem) {
        // Only the end can be torn by a crash or a full disk mid-write; damage before it is not ours to guess past.
        if (lines.slice(i + 1).some((l) => l.trim() !== '')) {
          throw new StateLoadError('E401', `The journal ${this.journalPath} is damaged at line ${i + 1}: it ${problem}, and records follow it. Mozart will not guess past it: delete that line and the lines after it to resume from the state before it, or move the folder ${this.options.dir} aside and resume (sheets whose validations pass are then taken as done, not run again).`);
        }
        this.repairs.push(`the last line of ${this.journalPath} (line ${i + 1}) ${problem}; it was cut off, and the job goes on from the record before it`);
        break;
      }
      offset += bytes;
      if (seq <= this.seq) continue;
      this.seq = seq;
      this.sinceCompaction++;
    }
    this.journalSize = offset;
  }

  /** Cuts the journal back to its whole records (after a torn or non-record tail). */
  private cutTail(): void {
    if (!existsSync(this.journalPath)) return;
    let size: number;
    const fd = openSync(this.journalPath, 'r');
    try {
      size = fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
    if (size > this.journalSize) truncateSync(this.journalPath, this.journalSize);
  }

  private openJournal(): number {
    if (this.journalFd === undefined) {
      mkdirSync(dirname(this.journalPath), { recursive: true, mode: 0o700 });
      this.journalFd = openSync(this.journalPath, 'a', 0o600);
      this.journalSize = fstatSync(this.journalFd).size;
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
