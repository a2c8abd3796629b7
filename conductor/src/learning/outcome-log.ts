// The outcome log: append-only segment files of one JSON line per attempt outcome, each with its
// sequence number. An append is one write(2), so a kill -9 can lose at most the line in flight; the
// disk flush (fdatasync) runs off the event loop and coalesces appends made while one is running, so
// recording an outcome never waits for the disk yet reaches it within one flush. Retention drops
// whole segments, oldest first; nothing is ever rewritten in place.
import { closeSync, fdatasync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { AttemptOutcome } from './outcome.js';

/** One segment file: the sequence numbers it holds and the time of its newest outcome. */
export interface SegmentInfo {
  name: string;
  first: number;
  last: number;
  lastAt: number;
}

export interface OutcomeLogOptions {
  /** Outcomes per segment before a new one starts. */
  segmentSize: number;
  /** Flush to disk after appends (default true). */
  durable?: boolean;
  /** Told about a flush that failed (the outcomes are still in the kernel's cache). */
  onError?: (error: Error) => void;
}

const SEGMENT = /^outcomes-(\d{12})\.ndjson$/;
const segmentName = (first: number): string => `outcomes-${String(first).padStart(12, '0')}.ndjson`;

/** An open file whose flushes run in the background, one at a time. */
class FlushedFile {
  private flushing = false;
  private dirty = false;
  private closeWhenIdle = false;
  private idle: (() => void)[] = [];

  constructor(
    readonly fd: number,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Asks for a flush of everything written so far. */
  flush(): void {
    if (this.flushing) {
      this.dirty = true;
      return;
    }
    this.flushing = true;
    fdatasync(this.fd, (error) => {
      this.flushing = false;
      if (error) this.onError(error);
      if (this.dirty && !this.closeWhenIdle) {
        this.dirty = false;
        this.flush();
        return;
      }
      if (this.closeWhenIdle) closeSync(this.fd);
      for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /** Resolves once no flush is running. */
  settled(): Promise<void> {
    return this.flushing ? new Promise((resolve) => this.idle.push(resolve)) : Promise.resolve();
  }

  /** Flushes now and closes (after a running background flush, if one is). */
  close(): void {
    try {
      fdatasyncSync(this.fd);
    } catch (error) {
      this.onError(error as Error);
    }
    if (this.flushing) this.closeWhenIdle = true;
    else closeSync(this.fd);
  }
}

export class OutcomeLog {
  private segments: SegmentInfo[] = [];
  private file: FlushedFile | undefined;
  private lastSeq = 0;
  /** Lines that could not be read (a torn last line after a crash, or damage). */
  damaged = 0;
  private readonly durable: boolean;
  private readonly onError: (error: Error) => void;

  constructor(
    private readonly dir: string,
    private readonly options: OutcomeLogOptions,
  ) {
    this.durable = options.durable ?? true;
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Reads the segments: those `known` (from a snapshot) up to `afterSeq` are taken as they are; the
   * others are read, and every outcome after `afterSeq` goes to `onOutcome`, oldest first. Segment
   * files older than the known ones are left-overs of a drop interrupted by a crash: removed.
   */
  load(known: readonly SegmentInfo[], afterSeq: number, onOutcome: (o: AttemptOutcome) => void): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const byName = new Map(known.map((s) => [s.name, s]));
    const oldestKnown = known[0]?.first ?? 0;
    const files = readdirSync(this.dir)
      .map((name) => ({ name, match: SEGMENT.exec(name) }))
      .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
      .map((f) => ({ name: f.name, first: Number(f.match[1]) }))
      .sort((a, b) => a.first - b.first);
    let appendable = false;
    for (const [i, f] of files.entries()) {
      const info = byName.get(f.name);
      if (!info && known.length > 0 && f.first < oldestKnown) {
        unlinkSync(join(this.dir, f.name));
        continue;
      }
      // The newest file is always read: it may have grown after the snapshot was taken.
      if (info && info.last <= afterSeq && i < files.length - 1) {
        this.segments.push({ ...info });
        appendable = false;
        continue;
      }
      const read = this.readFile(f.name);
      appendable = read.complete;
      const seqs = read.outcomes.map((o) => o.seq ?? 0);
      if (read.outcomes.length === 0) {
        unlinkSync(join(this.dir, f.name));
        continue;
      }
      this.segments.push({ name: f.name, first: Math.min(...seqs), last: Math.max(...seqs), lastAt: Math.max(...read.outcomes.map((o) => o.at)) });
      for (const o of read.outcomes) if ((o.seq ?? 0) > afterSeq) onOutcome(o);
    }
    this.lastSeq = Math.max(afterSeq, ...this.segments.map((s) => s.last));
    const current = this.segments[this.segments.length - 1];
    // Append to the newest segment only when it ends cleanly: never after a torn line.
    if (current && appendable && current.last - current.first + 1 < this.options.segmentSize) this.openSegment(current.name);
  }

  /** Appends an outcome, assigning its sequence number; returns it. */
  append(outcome: AttemptOutcome): number {
    const seq = ++this.lastSeq;
    let current = this.segments[this.segments.length - 1];
    if (!this.file || !current || current.last - current.first + 1 >= this.options.segmentSize) {
      this.closeFile();
      current = { name: segmentName(seq), first: seq, last: seq - 1, lastAt: 0 };
      this.segments.push(current);
      this.openSegment(current.name);
    }
    const file = this.file as FlushedFile;
    writeSync(file.fd, JSON.stringify({ ...outcome, seq }) + '\n');
    current.last = seq;
    current.lastAt = Math.max(current.lastAt, outcome.at);
    if (this.durable) file.flush();
    return seq;
  }

  /** The segments, oldest first (copies). */
  get info(): SegmentInfo[] {
    return this.segments.map((s) => ({ ...s }));
  }

  /** Outcomes kept. */
  get retained(): number {
    return this.segments.reduce((n, s) => n + (s.last - s.first + 1), 0);
  }

  get lastSequence(): number {
    return this.lastSeq;
  }

  /** The oldest segment, unless it is the one being written. */
  get droppable(): SegmentInfo | undefined {
    return this.segments.length > 1 ? this.segments[0] : undefined;
  }

  /** The outcomes of a segment. */
  read(name: string): AttemptOutcome[] {
    return this.readFile(name).outcomes;
  }

  /** Stops counting the oldest segment (its outcomes are out of the totals); its file stays until {@link unlinkForgotten}. */
  forget(name: string): void {
    if (this.segments[0]?.name !== name || this.segments.length < 2) throw new Error(`segment ${name} is not the oldest closed segment`);
    this.segments.shift();
  }

  /** Deletes the file of a forgotten segment. */
  unlinkForgotten(name: string): void {
    try {
      unlinkSync(join(this.dir, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(error as Error);
    }
  }

  /** Resolves once the outcomes appended so far are on disk. */
  async flushed(): Promise<void> {
    await this.file?.settled();
  }

  close(): void {
    this.closeFile();
  }

  private openSegment(name: string): void {
    this.file = new FlushedFile(openSync(join(this.dir, name), 'a', 0o600), this.onError);
  }

  private closeFile(): void {
    this.file?.close();
    this.file = undefined;
  }

  private readFile(name: string): { outcomes: AttemptOutcome[]; complete: boolean } {
    let text: string;
    try {
      text = readFileSync(join(this.dir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { outcomes: [], complete: true };
      throw error;
    }
    const outcomes: AttemptOutcome[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        const o = JSON.parse(line) as AttemptOutcome;
        if (typeof o.seq === 'number' && typeof o.at === 'number') outcomes.push(o);
        else this.damaged++;
      } catch {
        this.damaged++;
      }
    }
    return { outcomes, complete: text === '' || text.endsWith('\n') };
  }
}
