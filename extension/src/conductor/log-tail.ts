// Follows the conductor's log file (it may not exist yet, may be truncated or replaced) and hands
// complete new lines to a listener. Driven by file-system notifications, not polling.
import { existsSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

/** Bytes of existing log shown when following starts. */
const BACKLOG_BYTES = 64 * 1024;

export class LogTail {
  private offset = -1;
  private partial = '';
  private watcher: FSWatcher | undefined;
  private reading = false;
  private again = false;
  private closed = false;

  constructor(
    private readonly path: string,
    /** `backlog`: lines that were in the log before following began. */
    private readonly onLines: (lines: string[], backlog: boolean) => void,
  ) {}

  /** Starts following: the last part of the log first, then whatever is appended. */
  start(): void {
    this.watchTarget();
    void this.read();
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
  }

  private watchTarget(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.closed) return;
    // Watch the folder: the file may be created, replaced or rotated under the same name.
    const dir = dirname(this.path);
    if (!existsSync(dir)) return;
    try {
      this.watcher = watch(dir, (_event, name) => {
        if (name === null || name === basename(this.path)) void this.read();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined;
    }
  }

  /** Reads what was appended since the last read (one read at a time; changes meanwhile read again). */
  private async read(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    try {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again && !this.closed);
    } finally {
      this.reading = false;
    }
  }

  private async readOnce(): Promise<void> {
    let size: number;
    try {
      size = (await stat(this.path)).size;
    } catch {
      return;
    }
    const backlog = this.offset < 0;
    if (backlog) {
      this.offset = Math.max(0, size - BACKLOG_BYTES);
    } else if (size < this.offset) {
      this.offset = 0; // truncated or replaced
      this.partial = '';
    }
    if (size === this.offset) return;
    const handle = await open(this.path, 'r');
    try {
      const buffer = Buffer.alloc(size - this.offset);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      const text = this.partial + buffer.subarray(0, bytesRead).toString('utf8');
      const lines = text.split('\n');
      this.partial = lines.pop() ?? '';
      // Starting mid-file: the first line is probably cut.
      if (backlog && this.offset - bytesRead > 0) lines.shift();
      if (lines.length && !this.closed) this.onLines(lines, backlog);
    } finally {
      await handle.close();
    }
  }
}
