// Runs one child process the way every agent backend needs it: in its own process group (so a
// timeout or cancel kills the agent and everything it started), with bounded output tails, live
// output callbacks, a timeout, and an abort signal. Never rejects: failures are in the result.
import { readFileSync } from 'node:fs';
import { killGroup, startChild } from './launcher.js';

export { killGroup };

/** Keeps the last `limit` bytes of a stream (as UTF-8 text), counting everything seen. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  total = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  /** The kept text; starts mid-stream when output was longer than the limit. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    const kept = all.length > this.limit ? all.subarray(all.length - this.limit) : all;
    return kept.toString('utf8').replace(/^\uFFFD+/, '');
  }

  get truncated(): boolean {
    return this.total > this.limit;
  }
}

/** What to run. */
export interface ProcessSpec {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. Undefined: stdin is closed at once. */
  stdin?: string;
  timeoutMs: number;
  /** Bytes of stdout and of stderr to keep. */
  captureBytes: number;
  /** Seconds between SIGTERM and SIGKILL when stopping the group. */
  killGraceMs?: number;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: string) => void;
  /** Stop the process when it prints nothing for this long (stale detection); off when undefined. */
  idleTimeoutMs?: number;
  /** Called once the process exists, with its pid (= its process group id). */
  onSpawn?: (pid: number) => void;
}

/** How the process ended. */
export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  durationMs: number;
  timedOut: boolean;
  /** Stopped for producing no output for idleTimeoutMs. */
  stalled: boolean;
  cancelled: boolean;
  /** Set when the process could not be started at all (e.g. ENOENT). */
  spawnError?: NodeJS.ErrnoException;
  pid?: number;
}

/** The kernel's start time of a process (Linux), to tell a pid from a later reuse of the same number. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Runs the process to completion (or until timeout / abort) and reports how it ended. */
export function runProcess(spec: ProcessSpec, signal?: AbortSignal): Promise<ProcessResult> {
  const started = performance.now();
  const stdout = new OutputTail(spec.captureBytes);
  const stderr = new OutputTail(spec.captureBytes);
  const grace = spec.killGraceMs ?? 5000;

  return new Promise((resolvePromise) => {
    let timedOut = false;
    let stalled = false;
    let cancelled = false;
    let idleTimer: NodeJS.Timeout | undefined;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;

    let pid: number | undefined;
    let stopping = false;

    const stopGroup = (): void => {
      stopping = true;
      if (pid === undefined) return; // stopped as soon as it has a pid
      const group = pid;
      killGroup(group, 'SIGTERM');
      killTimer ??= setTimeout(() => killGroup(group, 'SIGKILL'), grace);
      killTimer.unref();
    };

    const timeout = setTimeout(() => {
      timedOut = true;
      stopGroup();
    }, spec.timeoutMs);
    timeout.unref();
    const touch = (): void => {
      if (spec.idleTimeoutMs === undefined) return;
      if (idleTimer) idleTimer.refresh();
      else {
        idleTimer = setTimeout(() => {
          stalled = true;
          stopGroup();
        }, spec.idleTimeoutMs);
        idleTimer.unref();
      }
    };
    touch();

    const onAbort = (): void => {
      cancelled = true;
      stopGroup();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (exitCode: number | null, sig: NodeJS.Signals | null, spawnError?: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timeout);
      if (idleTimer) clearTimeout(idleTimer);
      signal?.removeEventListener('abort', onAbort);
      // The leader is gone; make sure nothing it started lingers in its group.
      if (pid !== undefined) killGroup(pid, 'SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      resolvePromise({
        exitCode,
        signal: sig,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutBytes: stdout.total,
        stderrBytes: stderr.total,
        durationMs: performance.now() - started,
        timedOut,
        stalled,
        cancelled,
        ...(spawnError ? { spawnError } : {}),
        ...(pid !== undefined ? { pid } : {}),
      });
    };

    startChild(spec, {
      started: (childPid) => {
        pid = childPid;
        spec.onSpawn?.(childPid);
        if (stopping) stopGroup();
      },
      output: (stream, chunk) => {
        touch();
        (stream === 'stdout' ? stdout : stderr).push(chunk);
        spec.onOutput?.(stream, chunk.toString('utf8'));
      },
      failed: (error) => finish(null, null, error),
      // Descendants left behind would hold the output pipes open and delay the end forever.
      exited: () => pid !== undefined && killGroup(pid, 'SIGKILL'),
      closed: (code, sig) => finish(code, sig),
    });
  });
}
