// Starting a conductor from the extension: detached in its own session, output to its log file,
// so it outlives the window. Two windows (or two connection objects) must never start two: the
// spawner takes a lock file next to the socket with O_EXCL, re-checks by connecting while holding
// it, and only then spawns. Whoever finds the lock taken waits for it to go away (watching the
// folder, not polling) and connects to what the holder started.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, unlinkSync, watch, writeSync } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { EXIT_HOME_TAKEN, homeConductor, openConductorLog } from '../../../protocol/src/paths.js';

/** How to start a conductor. */
export interface SpawnOptions {
  socketPath: string;
  /** The runtime: `process.execPath` (Electron with ELECTRON_RUN_AS_NODE=1 inside VS Code). */
  execPath: string;
  /** The bundled daemon, dist/conductor.js. */
  script: string;
  /** The daemon's environment (ELECTRON_RUN_AS_NODE, MOZART_HOME, MOZART_CLAUDE_PATH…). */
  env: NodeJS.ProcessEnv;
  /** Where its stdout and stderr go. */
  logFile: string;
  /** How long a spawned conductor may take to say it is ready. */
  readyTimeoutMs?: number;
}

export type SpawnOutcome =
  /** This process started a conductor and it is ready. */
  | { kind: 'spawned'; pid: number; child: ChildProcess }
  /** A conductor already answers (found on the re-check, or — `launched` — the new one said so and exited). */
  | { kind: 'running'; launched?: boolean }
  /** Another live process holds the spawn lock. */
  | { kind: 'busy' };

/** A lock older than this is left over from a spawner that hung or died. */
const STALE_LOCK_MS = 60_000;
/** The daemon's exit code when another conductor already answers on its socket. */
const EXIT_ALREADY_RUNNING = 3;

/** The spawn lock for a socket: a file beside it. */
export function spawnLockPath(socketPath: string): string {
  return join(dirname(socketPath), `${basename(socketPath)}.spawn-lock`);
}

/** True when something accepts a connection on the socket. */
export function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Makes the socket's folder (owner-only), as the daemon would. */
export function ensureSocketDir(socketPath: string): void {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o700 });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Tries to take the lock; clears it first when its holder is gone or it is stale. */
export function tryLock(lockPath: string, now = Date.now()): boolean {
  for (let round = 0; round < 2; round++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n${now}\n`);
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!lockIsStale(lockPath, now)) return false;
    try {
      unlinkSync(lockPath);
    } catch {
      /* someone else cleared it first */
    }
  }
  return false;
}

function lockIsStale(lockPath: string, now: number): boolean {
  try {
    const [pidLine] = readFileSync(lockPath, 'utf8').split('\n');
    const pid = Number(pidLine);
    if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return true;
    return now - statSync(lockPath).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // vanished or half-written: not ours to judge; the next round retries
  }
}

export function releaseLock(lockPath: string): void {
  try {
    const [pidLine] = readFileSync(lockPath, 'utf8').split('\n');
    if (Number(pidLine) === process.pid) unlinkSync(lockPath);
  } catch {
    /* already gone */
  }
}

/**
 * Starts one conductor unless one answers or another process is starting one. Holds the lock
 * from before the re-check until the new conductor is ready (or has failed), so two callers can
 * never both spawn.
 */
export async function spawnConductor(options: SpawnOptions): Promise<SpawnOutcome> {
  ensureSocketDir(options.socketPath);
  const lock = spawnLockPath(options.socketPath);
  if (!tryLock(lock)) return { kind: 'busy' };
  try {
    if (await answers(options.socketPath)) return { kind: 'running' };
    return await startDetached(options);
  } finally {
    releaseLock(lock);
  }
}

function startDetached(options: SpawnOptions): Promise<SpawnOutcome> {
  const out = openConductorLog(options.logFile);
  let child: ChildProcess;
  try {
    child = spawn(options.execPath, [options.script, '--socket', options.socketPath], {
      detached: true, // its own session: closing the window does not take it down
      stdio: ['ignore', out, out, 'pipe'],
      env: { ...options.env, MOZART_READY_FD: '3' },
    });
  } finally {
    closeSync(out);
  }
  return new Promise((resolve, reject) => {
    const ready = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
    let said = '';
    const timer = setTimeout(() => {
      finish();
      child.kill('SIGTERM');
      reject(new Error(`The conductor did not become ready within ${Math.round((options.readyTimeoutMs ?? 30_000) / 1000)} s; see ${options.logFile}.`));
    }, options.readyTimeoutMs ?? 30_000);
    const finish = () => {
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      child.removeListener('error', onError);
      ready.removeAllListeners('data');
      ready.destroy();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      finish();
      if (code === EXIT_ALREADY_RUNNING) resolve({ kind: 'running', launched: true });
      else if (code === EXIT_HOME_TAKEN) {
        const holder = homeConductor(options.env);
        reject(new Error(`Another conductor already runs for this Mozart home${holder?.socket ? ` on ${holder.socket} (pid ${holder.pid})` : ''}; a second one would run its jobs twice. Set mozart.conductor.socketPath to its socket, or stop it first.`));
      } else reject(new Error(`The conductor exited (${signal ?? `code ${code}`}) before it was ready; see ${options.logFile}.`));
    };
    const onError = (error: Error) => {
      finish();
      reject(new Error(`Could not start the conductor with ${options.execPath}: ${error.message}`));
    };
    ready.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (!said.includes('ready')) return;
      finish();
      child.unref();
      resolve({ kind: 'spawned', pid: child.pid ?? 0, child });
    });
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/**
 * Resolves once another process's spawn lock is gone (or after `timeoutMs`, so a wedged holder
 * cannot block forever). Watches the folder rather than polling.
 */
export function awaitOtherSpawner(socketPath: string, timeoutMs = 35_000): Promise<void> {
  const lock = spawnLockPath(socketPath);
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    try {
      watcher = watch(dirname(lock), () => {
        if (!existsSync(lock)) done();
      });
      watcher.on('error', done);
    } catch {
      done();
      return;
    }
    if (!existsSync(lock)) done(); // gone before the watch began
  });
}

/**
 * True when the conductor's log shows it was stopped on purpose: its last lifecycle line is a
 * "stopping (…)" or "stopped" line rather than "listening". Pure, for the connection's decision
 * between "stopped" and "crashed".
 */
export function wasGracefulStop(logTail: string): boolean {
  const lines = logTail.split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (/\bstopping \(|\bstopped\s*$/.test(line)) return true;
    if (/\blistening on\b|\bfailed to start\b/.test(line)) return false;
  }
  return false;
}

/** The last `bytes` of a file ('' when it cannot be read). */
export function readTail(path: string, bytes = 4096): string {
  try {
    const size = statSync(path).size;
    const fd = openSync(path, 'r');
    try {
      const length = Math.min(size, bytes);
      const buffer = Buffer.alloc(length);
      let read = 0;
      while (read < length) {
        const n = readSync(fd, buffer, read, length - read, size - length + read);
        if (n <= 0) break;
        read += n;
      }
      return buffer.subarray(0, read).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}
