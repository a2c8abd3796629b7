// Keeps `<workspace>/<job-id>.json`, the original Mozart's checkpoint shape, current while a job
// runs. It is a view for people and their scripts, never read back: the checkpoint is `.mozart/state/`.
//
// Cost stays off the sheets' path and flat in the job's size: each saved record only marks its
// sheet as changed; a write (coalesced, at most one in flight) re-renders just the changed sheets,
// joins the kept text of the others, and hands the bytes to the file system off the event loop
// (temp file + rename, so a reader sees the old file or the new one, never half of one). Writes
// are spaced by at least `minIntervalMs`, and by twenty times the last render's cost, so the loop
// never spends more than a twentieth of its time on this whatever the job's size. `flush()`
// writes at once: the runner awaits it at a pause, a stop and the job's end.
import { renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
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

function tempFile(file: string): string {
  return join(dirname(file), `.${basename(file)}.tmp`);
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
  private readonly tmp: string;
  private readonly minIntervalMs: number;
  /** Each sheet's rendered entry, by sheet key. */
  private readonly entries = new Map<string, string>();
  private readonly dirty = new Set<string>();
  private renderAll = true;
  private startedAt: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** The write waiting to start (changes made before it starts are in it). */
  private queued: Promise<void> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private lastWriteAt = 0;
  private lastRenderMs = 0;
  private warned = false;
  private closed = false;
  /** A record was saved since the last write began. */
  private changed = true;
  /** Writes carried out (for tests and the bench). */
  writes = 0;

  constructor(private readonly options: CheckpointViewOptions) {
    this.file = checkpointViewFile(options.workspace, options.jobId);
    this.tmp = tempFile(this.file);
    this.minIntervalMs = options.minIntervalMs ?? 500;
  }

  /** A record was saved to the checkpoint: its sheet changed; a write follows within the interval. */
  saved(record: JobRecord): void {
    if (this.closed) return;
    this.changed = true;
    if (record.t === 'sheet') this.dirty.add(String(record.num));
    else if (record.t === 'init' || record.t === 'plan') this.renderAll = true;
    else if (record.t === 'job' && record.status === 'running') this.startedAt ??= record.at;
    if (this.timer || this.queued) return;
    const due = Math.max(0, this.lastWriteAt + Math.max(this.minIntervalMs, this.lastRenderMs * DUTY_FACTOR) - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, due);
    this.timer.unref();
  }

  /** Writes now (after a write in flight); resolves once the file shows every change saved before the call. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return this.write();
  }

  /** The last write (none when the file already shows everything), then no more changes are taken. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await (this.changed ? this.write() : this.chain);
  }

  private write(): Promise<void> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = undefined;
      return this.writeOnce();
    });
    this.queued = run;
    this.chain = run;
    return run;
  }

  private async writeOnce(): Promise<void> {
    this.changed = false;
    const started = performance.now();
    const text = this.render();
    this.lastRenderMs = performance.now() - started;
    this.lastWriteAt = Date.now();
    try {
      await writeFile(this.tmp, text);
      await rename(this.tmp, this.file);
      this.writes++;
    } catch (error) {
      if (!this.warned) this.options.warn?.(`The checkpoint view ${this.file} could not be written (${(error as Error).message}); the job goes on, its checkpoint is in .mozart/state/.`);
      this.warned = true;
    }
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
