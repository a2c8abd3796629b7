// Checking a score without blocking the conductor. A score of a few hundred KiB is checked in a few
// milliseconds and is checked in place; a bigger one (up to the 4 MiB cap, where 200,000 unknown
// keys take seconds) is checked in a worker thread first, with a time and memory limit, so every
// other job and client keeps being served meanwhile. The job manager's checks stay synchronous:
// `prime` runs before them and leaves the worker's result, which `take` hands over when the file
// is still the one that was checked.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { checkScoreFile } from '../../../score/src/engine.js';
import type { ScoreCheckResult } from '../../../score/src/engine.js';
import { scoreStamp } from './manager-parts.js';

/** What a check of a score file gives the conductor; the parsed `source` stays in the thread that parsed it. */
export type FileCheck = { result: Omit<ScoreCheckResult, 'source'>; error?: undefined } | { error: string; result?: undefined };

export interface ScoreCheckLimits {
  /** Files up to this size are checked in place. */
  inlineBytes: number;
  /** A check in a worker that takes longer is abandoned and the score refused. */
  timeoutMs: number;
  /** The worker's heap limit: a hostile score exhausts the worker, not the conductor. */
  maxHeapMb: number;
}

export const DEFAULT_SCORE_CHECK_LIMITS: ScoreCheckLimits = { inlineBytes: 256 * 1024, timeoutMs: 60_000, maxHeapMb: 2048 };

/** The worker's bundle, next to conductor.js (scripts/build-options.mjs builds it). */
const WORKER_FILE = join(__dirname, 'score-check-worker.js');

export class ScoreChecks {
  private readonly primed = new Map<string, { stamp: string; check: FileCheck }>();

  constructor(
    private readonly limits: ScoreCheckLimits = DEFAULT_SCORE_CHECK_LIMITS,
    private readonly workerFile = WORKER_FILE,
  ) {}

  /**
   * Checks a big score file in a worker and keeps the result for `take`. Small files, files that
   * cannot be stat'ed and runs from sources (tests under tsx, where there is no worker bundle) are
   * left to `take`, which checks them in place.
   */
  async prime(file: string): Promise<void> {
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) return; // refused by the safe reader, without reading a byte
      size = st.size;
    } catch {
      return;
    }
    if (size <= this.limits.inlineBytes || !existsSync(this.workerFile)) return;
    const stamp = scoreStamp(file);
    this.primed.set(file, { stamp, check: await this.inWorker(file) });
  }

  /** The check of `file`: the primed one when the file has not changed since, else one made now. */
  take(file: string): FileCheck {
    const primed = this.primed.get(file);
    this.primed.delete(file);
    if (primed && primed.stamp === scoreStamp(file)) return primed.check;
    return checkScoreFile(file);
  }

  private inWorker(file: string): Promise<FileCheck> {
    const { timeoutMs, maxHeapMb } = this.limits;
    return new Promise((resolve) => {
      const worker = new Worker(this.workerFile, { workerData: { file }, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
      let settled = false;
      const settle = (check: FileCheck): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        resolve(check);
      };
      const timer = setTimeout(() => settle({ error: `${file} took longer than ${timeoutMs / 1000} s to check, the most the conductor spends on one score` }), timeoutMs);
      worker.once('message', (check: FileCheck) => settle(check));
      worker.once('error', (error: Error) => settle({ error: `${file} could not be checked: ${error.message}` }));
      worker.once('exit', (code) => settle({ error: `${file} could not be checked: the checking thread stopped (exit code ${code})` }));
    });
  }
}
