// Keeps `<workspace>/<job-id>.json`, the original Mozart's checkpoint shape, current while a job
// runs. It is a view for people and their scripts, never read back: the checkpoint is `.mozart/state/`.
//
// Cost stays off the sheets' path and flat in the job's size: each saved record only marks its
// sheet as changed; a write (coalesced, at most one in flight) re-renders just the changed sheets,
// joins the kept text of the others, and hands the bytes to the file system off the event loop
// (temp file + rename, so a reader sees the old file or the new one, never half of one). Writes
// are spaced by at least `minIntervalMs`, and by twenty times the last render's cost, so the loop
// never spends more than a twentieth of its time on this whatever the job's size. The job's pause,
// end or failure is written at once, on the loop, so the file shows it before any event says so.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { JobRecord, JobState, SheetState } from '../../../protocol/src/job-state.js';
import { originalJobFields, originalSheet } from './original-checkpoint.js';
import type { ViewContext } from './original-checkpoint.js';
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

/** A write's temporary file beside the view (a dot file, so a glob for *.json never sees it). */
function tempFile(file: string, gen = 0): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}-${gen}.tmp`);
}

/** One sheet's entry, `"N": {...}`, indented as it sits inside `sheets`. */
function sheetEntry(key: string, sheet: SheetState): string {
  return `    ${JSON.stringify(key)}: ${JSON.stringify(originalSheet(Number(key), sheet), null, 2).replace(/\n/g, '\n    ')}`;
}

function assemble(state: JobState, context: ViewContext, entries: Iterable<string>): string {
  const head = JSON.stringify(originalJobFields(state, context), null, 2);
  const body = [...entries];
  return `${head.slice(0, -2)},\n  "sheets": {${body.length > 0 ? `\n${body.join(',\n')}\n  ` : ''}}\n}\n`;
}

/** Writes the view once, synchronously (a job no runner holds: a status set from outside). */
export function writeCheckpointViewSync(workspace: string, state: JobState): void {
  const file = checkpointViewFile(workspace, state.jobId);
  const entries: string[] = [];
  for (const key in state.sheets) entries.push(sheetEntry(key, state.sheets[key] as SheetState));
  const tmp = tempFile(file);
  writeFileSync(tmp, assemble(state, { startedAt: null, pid: null }, entries));
  renameSync(tmp, file);
}

export class CheckpointView {
  private readonly file: string;
  private readonly minIntervalMs: number;
  /** Each sheet's rendered entry, by sheet key. */
  private readonly entries = new Map<string, string>();
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
  private warned = false;
  private closed = false;
  /** A record was saved since the last write began. */
  private changed = true;
  /** Writes that reached the file (for tests and the bench). */
  writes = 0;

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

  private schedule(): void {
    if (this.timer || this.closed) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const due = Math.max(0, this.lastWriteAt + Math.max(this.minIntervalMs, this.lastRenderMs * DUTY_FACTOR) - Date.now());
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
    const { gen, text } = this.renderNext();
    const tmp = tempFile(this.file, gen);
    const write = writeFile(tmp, text)
      .then(() => (gen > this.landed ? this.land(tmp, gen) : rmSync(tmp, { force: true })))
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
    const { gen, text } = this.renderNext();
    const tmp = tempFile(this.file, gen);
    try {
      writeFileSync(tmp, text);
      this.land(tmp, gen);
    } catch (error) {
      this.failed(error, tmp);
    }
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

  private renderNext(): { gen: number; text: string } {
    this.changed = false;
    const started = performance.now();
    const text = this.render();
    this.lastRenderMs = performance.now() - started;
    this.lastWriteAt = Date.now();
    return { gen: ++this.generation, text };
  }

  private render(): string {
    const state = this.options.state();
    if (this.renderAll) {
      this.entries.clear();
      for (const key in state.sheets) this.entries.set(key, sheetEntry(key, state.sheets[key] as SheetState));
      this.renderAll = false;
    } else {
      for (const key of this.dirty) {
        const sheet = state.sheets[key];
        if (sheet) this.entries.set(key, sheetEntry(key, sheet));
        else this.entries.delete(key);
      }
    }
    this.dirty.clear();
    const keys = Object.keys(state.sheets);
    const entries = keys.length === this.entries.size ? this.entries.values() : keys.map((k) => this.entries.get(k) ?? '').filter(Boolean);
    return assemble(state, { startedAt: this.startedAt, pid: process.pid, ...(this.options.parallel ? { parallel: this.options.parallel } : {}) }, entries);
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
