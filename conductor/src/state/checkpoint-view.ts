// Keeps `<workspace>/<job-id>.json`, the original Mozart's checkpoint shape, current while a job
// runs. It is a view for people and their scripts, never read back: the checkpoint is `.mozart/state/`.
//
// Cost stays off the sheets' path and flat in the job's size: each saved record only marks its
// sheet as changed; a write (coalesced, at most one in flight) re-renders just the changed sheets
// into bytes kept per sheet (and adjusts the job's totals by the difference), then hands the list
// of every sheet's bytes to the file system, which gathers them off the event loop (temp file +
// rename, so a reader sees the old file or the new one, never half of one). Writes
// are spaced by at least `minIntervalMs`, by twenty times the last render's cost, so the loop
// never spends more than a twentieth of its time on this whatever the job's size, and by ten times
// the last write's own duration, so a view of hundreds of megabytes (10,000 sheets with 10 KB output
// tails) keeps the disk busy a tenth of the time at most instead of being rewritten back to back. The job's pause,
// end or failure is written at once, on the loop, so the file shows it before any event says so.
import { closeSync, openSync, renameSync, rmSync, writevSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { JobRecord, JobState, SheetState } from '../../../protocol/src/job-state.js';
import { COUNT_KEYS, originalJobFields, originalSheet, sheetCounts, sumSheets } from './original-checkpoint.js';
import type { SheetCounts, SheetTotals, ViewContext } from './original-checkpoint.js';
import { checkpointViewFile } from './workspace-files.js';

export interface CheckpointViewOptions {
  workspace: string;
  jobId: string;
  /** The job's current state (the store's; read, never changed). */
  state: () => JobState;
  parallel?: ViewContext['parallel'];
  /** The shortest time between two writes (default 500 ms). */
  minIntervalMs?: number;
  /** Where a failed write is reported, once (the conductor log). */
  warn?: (message: string) => void;
}

/** At most this share of the loop's time goes to rendering the view. */
const DUTY_FACTOR = 20;
/** At most this share of the time goes to writing the view's bytes (off the loop, but on the disk). */
const DISK_DUTY_FACTOR = 10;
/** Buffers per writev call (IOV_MAX is 1024 on Linux and macOS). */
const IOV_BATCH = 1024;

/** A write's temporary file beside the view (a dot file, so a glob for *.json never sees it). */
function tempFile(file: string, gen = 0): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}-${gen}.tmp`);
}

/** One sheet's entry as bytes, `,\n    "N": {...}` indented as it sits in `sheets`; the first entry skips the comma. */
function sheetEntry(key: string, sheet: SheetState): Buffer {
  return Buffer.from(`,\n    ${JSON.stringify(key)}: ${JSON.stringify(originalSheet(Number(key), sheet), null, 2).replace(/\n/g, '\n    ')}`);
}

/** The whole file as a list of buffers: the job's fields, then each sheet's entry. */
function fileParts(state: JobState, context: ViewContext, totals: SheetTotals, entries: Iterable<Buffer>): Buffer[] {
  const head = JSON.stringify(originalJobFields(state, context, totals), null, 2);
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, -2)},\n  "sheets": {`)];
  for (const entry of entries) parts.push(parts.length === 1 ? entry.subarray(1) : entry);
  parts.push(Buffer.from(parts.length > 1 ? '\n  }\n}\n' : '}\n}\n'));
  return parts;
}

const byteLength = (parts: readonly Buffer[]): number => parts.reduce((n, p) => n + p.length, 0);

function shortWrite(file: string, wrote: number, expected: number): Error {
  return new Error(`wrote ${wrote} of ${expected} bytes to ${file}`);
}

function writePartsSync(file: string, parts: readonly Buffer[]): void {
  const fd = openSync(file, 'w', 0o644);
  try {
    for (let i = 0; i < parts.length; i += IOV_BATCH) {
      const batch = parts.slice(i, i + IOV_BATCH);
      const wrote = writevSync(fd, batch);
      if (wrote !== byteLength(batch)) throw shortWrite(file, wrote, byteLength(batch));
    }
  } finally {
    closeSync(fd);
  }
}

async function writeParts(file: string, parts: readonly Buffer[]): Promise<void> {
  const handle = await open(file, 'w', 0o644);
  try {
    for (let i = 0; i < parts.length; i += IOV_BATCH) {
      const batch = parts.slice(i, i + IOV_BATCH);
      const { bytesWritten } = await handle.writev(batch);
      if (bytesWritten !== byteLength(batch)) throw shortWrite(file, bytesWritten, byteLength(batch));
    }
  } finally {
    await handle.close();
  }
}

/** Writes the view once, synchronously (a job no runner holds: a status set from outside). */
export function writeCheckpointViewSync(workspace: string, state: JobState): void {
  const file = checkpointViewFile(workspace, state.jobId);
  const entries: Buffer[] = [];
  for (const key in state.sheets) entries.push(sheetEntry(key, state.sheets[key] as SheetState));
  const tmp = tempFile(file);
  try {
    writePartsSync(tmp, fileParts(state, { startedAt: null, pid: null }, sumSheets(state), entries));
    renameSync(tmp, file);
  } catch (error) {
    // A write cut short (a full disk) leaves no temporary file beside the view.
    rmSync(tmp, { force: true });
    throw error;
  }
}

interface KeptSheet {
  bytes: Buffer;
  counts: SheetCounts;
  completed: boolean;
}

/** Every sheet's rendered entry, in sheet order, and the job's totals kept up to date as entries change. */
class KeptSheets {
  readonly entries = new Map<string, KeptSheet>();
  private readonly sums: SheetCounts = { retries: 0, rateLimitWaits: 0, quotaWaits: 0, inputTokens: 0, outputTokens: 0 };
  private readonly running = new Set<number>();
  private lastCompleted = 0;
  /** The highest completed sheet stopped being completed: found again by a pass (rare). */
  private lastCompletedStale = false;

  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, sheet: SheetState): void {
    const num = Number(key);
    this.drop(key);
    const kept: KeptSheet = { bytes: sheetEntry(key, sheet), counts: sheetCounts(sheet), completed: sheet.status === 'completed' };
    this.entries.set(key, kept);
    for (const k of COUNT_KEYS) this.sums[k] += kept.counts[k];
    if (sheet.status === 'in_progress') this.running.add(num);
    if (kept.completed && num > this.lastCompleted) this.lastCompleted = num;
  }

  delete(key: string): void {
    this.drop(key);
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    for (const k of COUNT_KEYS) this.sums[k] = 0;
    this.running.clear();
    this.lastCompleted = 0;
    this.lastCompletedStale = false;
  }

  totals(): SheetTotals {
    if (this.lastCompletedStale) {
      this.lastCompleted = 0;
      for (const [key, kept] of this.entries) if (kept.completed && Number(key) > this.lastCompleted) this.lastCompleted = Number(key);
      this.lastCompletedStale = false;
    }
    return { ...this.sums, lastCompleted: this.lastCompleted, inProgress: [...this.running].sort((a, b) => a - b) };
  }

  private drop(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    const num = Number(key);
    for (const k of COUNT_KEYS) this.sums[k] -= old.counts[k];
    this.running.delete(num);
    if (old.completed && num === this.lastCompleted) this.lastCompletedStale = true;
  }
}

export class CheckpointView {
  private readonly file: string;
  private readonly minIntervalMs: number;
  /** Each sheet's rendered entry and the totals, by sheet key. */
  private readonly kept = new KeptSheets();
  private readonly dirty = new Set<string>();
  private renderAll = true;
  private startedAt: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** A change came while a write was in flight: another follows it. */
  private again = false;
  /** Each write's number; a write lands only if no later one has landed before it. */
  private generation = 0;
  private landed = 0;
  private lastWriteAt = 0;
  private lastRenderMs = 0;
  /** How long the last off-loop write took, from opening the temp file to its rename. */
  private lastWriteMs = 0;
  private warned = false;
  private closed = false;
  /** A record was saved since the last write began. */
  private changed = true;
  /** Writes that reached the file (for tests and the bench). */
  writes = 0;
  /** Time this view has held the event loop, in ms: rendering and the writes made on the loop (the bench). */
  busyMs = 0;

  constructor(private readonly options: CheckpointViewOptions) {
    this.file = checkpointViewFile(options.workspace, options.jobId);
    this.minIntervalMs = options.minIntervalMs ?? 500;
  }

  /**
   * A record was saved to the checkpoint. A sheet's change is written within the interval; the
   * job's pause, end or failure at once, so the file shows it before anyone hears of it.
   */
  saved(record: JobRecord): void {
    if (this.closed) return;
    this.changed = true;
    if (record.t === 'sheet') this.dirty.add(String(record.num));
    else if (record.t === 'init' || record.t === 'plan') this.renderAll = true;
    else if (record.t === 'job' && record.status === 'running') this.startedAt ??= record.at;
    if (record.t === 'job' && record.status !== 'running' && record.status !== 'pending') {
      this.writeNow();
      return;
    }
    this.schedule();
  }

  /** The run is over: a last write if anything changed since the previous one; later records are not taken. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.changed) this.writeNow();
  }

  /** The time from one write's start to the next one's, as the last render and write set it. */
  get spacingMs(): number {
    return Math.max(this.minIntervalMs, this.lastRenderMs * DUTY_FACTOR, this.lastWriteMs * DISK_DUTY_FACTOR);
  }

  /** How long the last write off the loop took (tests, the bench). */
  get lastWriteDurationMs(): number {
    return this.lastWriteMs;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const due = Math.max(0, this.lastWriteAt + this.spacingMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeLater();
    }, due);
    this.timer.unref();
  }

  /** Resolves once no write is in flight (tests). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** Renders now and writes off the loop; the rename happens on the loop, so a newer write is never replaced by an older one. */
  private writeLater(): Promise<void> {
    const { gen, parts } = this.renderNext();
    const tmp = tempFile(this.file, gen);
    const started = performance.now();
    const write = writeParts(tmp, parts)
      .then(() => {
        this.lastWriteMs = performance.now() - started;
        return gen > this.landed ? this.land(tmp, gen) : rmSync(tmp, { force: true });
      })
      .catch((error: unknown) => this.failed(error, tmp))
      .finally(() => {
        this.inFlight = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          this.schedule();
        }
      });
    this.inFlight = write;
    return write;
  }

  /** Renders and writes on the loop (a pause, an end: once per run). */
  private writeNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const { gen, parts } = this.renderNext();
    const tmp = tempFile(this.file, gen);
    const started = performance.now();
    try {
      writePartsSync(tmp, parts);
      this.land(tmp, gen);
    } catch (error) {
      this.failed(error, tmp);
    }
    this.busyMs += performance.now() - started;
  }

  private land(tmp: string, gen: number): void {
    renameSync(tmp, this.file);
    this.landed = gen;
    this.writes++;
  }

  private failed(error: unknown, tmp: string): void {
    rmSync(tmp, { force: true });
    if (!this.warned) this.options.warn?.(`The checkpoint view ${this.file} could not be written (${(error as Error).message}); the job goes on, its checkpoint is in .mozart/state/.`);
    this.warned = true;
  }

  private renderNext(): { gen: number; parts: Buffer[] } {
    this.changed = false;
    const started = performance.now();
    const parts = this.render();
    this.lastRenderMs = performance.now() - started;
    this.busyMs += this.lastRenderMs;
    this.lastWriteAt = Date.now();
    return { gen: ++this.generation, parts };
  }

  private render(): Buffer[] {
    const state = this.options.state();
    // A sheet the kept list lacks (a plan that grew) would land out of order: render all again.
    for (const key of this.dirty) if (!this.renderAll && !this.kept.has(key) && state.sheets[key]) this.renderAll = true;
    if (this.renderAll) {
      this.kept.clear();
      for (const key in state.sheets) this.kept.set(key, state.sheets[key] as SheetState);
      this.renderAll = false;
    } else {
      for (const key of this.dirty) {
        const sheet = state.sheets[key];
        if (sheet) this.kept.set(key, sheet);
        else this.kept.delete(key);
      }
    }
    this.dirty.clear();
    const entries: Buffer[] = [];
    for (const kept of this.kept.entries.values()) entries.push(kept.bytes);
    return fileParts(state, { startedAt: this.startedAt, pid: process.pid, ...(this.options.parallel ? { parallel: this.options.parallel } : {}) }, this.kept.totals(), entries);
  }
}

/** writeCheckpointViewSync for a status set outside a run: a view that cannot be written costs nothing but itself. */
export function writeViewQuietly(workspace: string, state: JobState): void {
  if (!state.sheets) return;
  try {
    writeCheckpointViewSync(workspace, state);
  } catch {
    /* the checkpoint holds the status; the view catches up on the next run */
  }
}
