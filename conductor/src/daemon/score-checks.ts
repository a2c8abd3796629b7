// Checking a score without blocking the conductor. A score of at most 256 KiB is checked in place
// in a few milliseconds (and no more than 256 KiB of it is read there, so a file that grows in the
// meantime cannot make that check long); a bigger one (up to the 4 MiB cap, where 180,000 unknown
// keys take seconds) is checked in a worker thread with a time and memory limit, so every other
// job and client keeps being served meanwhile. Every check the conductor makes of a score a client
// named, or a running job needs, goes through `check`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../../protocol/src/client.js';
import { checkScore, checkScoreFile } from '../../../score/src/engine.js';
import type { ScoreCheckResult } from '../../../score/src/engine.js';
import { readScoreFile } from '../../../score/src/score-file.js';

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

/**
 * The worker's time limit is shorter than a client's default request timeout (protocol/src/client.ts),
 * so `mozart run` and the editor get the conductor's refusal saying why, never a timeout of their own.
 */
export const DEFAULT_SCORE_CHECK_LIMITS: ScoreCheckLimits = { inlineBytes: 256 * 1024, timeoutMs: DEFAULT_REQUEST_TIMEOUT_MS - 5_000, maxHeapMb: 2048 };

/** The worker's bundle, next to conductor.js (scripts/build-options.mjs builds it). */
const WORKER_FILE = join(__dirname, 'score-check-worker.js');

export class ScoreChecks {
  constructor(
    private readonly limits: ScoreCheckLimits = DEFAULT_SCORE_CHECK_LIMITS,
    private readonly workerFile = WORKER_FILE,
  ) {}

  /**
   * Checks a score file: in place when it is small, else in a worker. Runs from sources (tests
   * under tsx, where there is no worker bundle) check every file in place.
   */
  async check(file: string): Promise<FileCheck> {
    if (!existsSync(this.workerFile)) return checkScoreFile(file);
    const small = readScoreFile(file, this.limits.inlineBytes);
    if (small.ok) return { result: checkScore(file, small.text, small.invalidUtf8 ? { invalidUtf8: small.invalidUtf8 } : {}) };
    if (small.reason !== 'too-large') return { error: small.message };
    return this.inWorker(file);
  }

  /**
   * Checks a score file in place, whatever its size. Only for what cannot wait for a worker: the
   * jobs a conductor resumes as it starts.
   */
  checkInPlace(file: string): FileCheck {
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
