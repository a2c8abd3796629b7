// The sheet log an attempt's output goes to, held open while the attempt runs: a chatty agent's
// chunk costs one write, not an open, a write and a close. A disk that refuses the log (full, over
// quota, read-only) stops the job like any refused write of the sheet's I/O: `onRefused` is told
// once, the log takes nothing more, and the sheet loop reports `refused` (E403) after the attempt.
// Any other failed write costs that chunk's place in the log, never the attempt; the next chunk
// tries again.
import { closeSync, openSync, writeSync } from 'node:fs';
import { DISK_FULL_CODES, StateWriteError } from '../state/journal-store.js';

export class AttemptLog {
  private fd: number | undefined;
  /** The write the disk refused, naming the log; undefined while the log is whole. */
  refused: StateWriteError | undefined;

  constructor(
    private readonly path: string,
    private readonly onRefused?: (error: StateWriteError) => void,
  ) {}

  append(text: string): void {
    if (this.refused) return;
    try {
      this.fd ??= openSync(this.path, 'a');
      const bytes = Buffer.from(text);
      for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written);
    } catch (error) {
      this.close();
      const errno = (error as NodeJS.ErrnoException).code;
      if (errno === undefined || !DISK_FULL_CODES.has(errno)) return;
      this.refused = new StateWriteError(errno, this.path, `${(error as Error).message} (writing the sheet log ${this.path}: the agent's output from here on is not in it)`);
      this.onRefused?.(this.refused);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      /* nothing left to lose: every byte was written or reported lost */
    }
    this.fd = undefined;
  }
}
