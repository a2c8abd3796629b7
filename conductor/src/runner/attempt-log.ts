// The sheet log an attempt's output goes to, held open while the attempt runs: a chatty agent's
// chunk costs one write, not an open, a write and a close. A write that fails (a full disk) costs
// that chunk's place in the log, never the attempt; the next chunk tries again.
import { closeSync, openSync, writeSync } from 'node:fs';

export class AttemptLog {
  private fd: number | undefined;

  constructor(private readonly path: string) {}

  append(text: string): void {
    try {
      this.fd ??= openSync(this.path, 'a');
      const bytes = Buffer.from(text);
      for (let written = 0; written < bytes.length; ) written += writeSync(this.fd, bytes, written);
    } catch {
      this.close();
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
